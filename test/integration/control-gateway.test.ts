// The two kinds of listener: the gateway's socket, where every request names
// the identity the gateway authenticated (`as`) and the daemon checks that
// identity's right to each command; and the local socket, whose peer may do
// everything and may not speak for anyone else. The gateway's listener is
// made here from the server module on a real socket, over a real Supervisor
// (its programs not started); the jobs are a stand-in of JobsControl, which
// shows what the handlers hand to it.
import { create } from '@bufbuild/protobuf';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Identity } from '../../src/authz/identity';
import { Client } from '../../src/cli/client';
import { ProcessState } from '../../src/gen/taskmaster/v1/control_pb';
import { JobSchema, JobState } from '../../src/gen/taskmaster/v1/jobs_pb';
import { TaskmasterError } from '../../src/protocol/errors';
import { LineSplitter } from '../../src/protocol/framing';
import type { DaemonControl, JobsControl } from '../../src/server/control';
import { listenControlSocket } from '../../src/server/socket-server';
import { osClock, osSignaller, osSpawner } from '../../src/supervisor/os-edges';
import { Supervisor } from '../../src/supervisor/supervisor';
import { program as programConfig } from '../unit/supervisor-fakes';
import { exchange, HELLO } from './control-helpers';
import { program, withDaemon } from './lifecycle-helpers';

const line = (v: unknown): string => JSON.stringify(v) + '\n';
type Msg = { id: number; ok?: boolean; result?: unknown; item?: unknown; error?: { code: string; message: string } };

const IDENTITIES: Identity[] = [
  { name: 'ops', programs: 'control', jobs: { runAs: null }, admin: false },
  { name: 'viewer', programs: 'read', jobs: null, admin: false },
  { name: 'runner', programs: 'none', jobs: { runAs: 'nobody' }, admin: false },
];

/** What the job handlers pass on: each call's identity and request, answered with a job owned by that identity. */
function standInJobs(calls: string[]): JobsControl {
  const job = (identity: Identity, id: string) =>
    create(JobSchema, { id, owner: identity.name, user: identity.jobs?.runAs ?? 'root', state: JobState.RUNNING, command: 'true' });
  return {
    run: (identity, req) => (calls.push(`run ${identity.name} ${req.command}`), job(identity, 'j-run')),
    ps: (identity, req) => {
      calls.push(`ps ${identity.name} ${req.jobId}`);
      throw new TaskmasterError('ENOJOB', `no job ${req.jobId}`);
    },
    list: (identity) => (calls.push(`list ${identity.name}`), [job(identity, 'j1')]),
    kill: (identity, req) => (calls.push(`kill ${identity.name} ${req.jobId} ${req.signal}`), job(identity, req.jobId)),
    logs: async function* (identity, req) {
      calls.push(`logs ${identity.name} ${req.jobId}`);
      yield { event: { case: 'stdout', value: Buffer.from('out\n') } };
      yield { event: { case: 'stderr', value: Buffer.from('err\n') } };
    },
    counts: () => ({ running: new Map(), finished: new Map() }),
  };
}

describe('the gateway socket', () => {
  let dir: string;
  let path: string;
  let server: Server;
  const calls: string[] = [];
  const warnings: string[] = [];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tm-gateway-'));
    path = join(dir, 'gateway.sock');
    const log = { debug: () => {}, info: () => {}, warn: (_: object, m: string) => void warnings.push(m), error: () => {}, fatal: () => {} };
    const supervisor = new Supervisor({ clock: osClock(() => performance.now()), spawner: osSpawner(), signaller: osSignaller, log, childlogdir: dir, baseEnv: {} });
    supervisor.addProgram(programConfig('web'));
    const ctl: DaemonControl = {
      supervisor,
      config: () => {
        throw new Error('not in this test');
      },
      reload: () => Promise.reject(new TaskmasterError('EBADCONFIG', 'no config file in this test')),
      shutdown: () => calls.push('shutdown'),
      shuttingDown: () => false,
      mainLog: { last: () => '', follow: () => () => {} },
      log,
      version: 'gateway-test',
      now: () => performance.now(),
      wallNow: () => Date.now(),
      processStats: () => Promise.resolve(new Map()),
      tokens: null,
      logLinks: () => null,
      jobs: standInJobs(calls),
    };
    server = await listenControlSocket(path, 0o600, ctl, { gateway: true, identityOf: (name) => IDENTITIES.find((i) => i.name === name) ?? null });
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('a request without "as" is EBADREQUEST, and the connection is closed', async () => {
    const { messages, closed } = await exchange(path, HELLO + line({ id: 1, cmd: 'status', names: [] }));
    assert.ok(closed);
    assert.deepEqual(messages.at(-1), { id: 1, ok: false, error: { code: 'EBADREQUEST', message: 'field "as" is required on the gateway\'s socket' } });
  });

  it('an unknown identity is EPERM for that request only; the next one is answered', async () => {
    const { messages } = await exchange(
      path,
      HELLO + line({ id: 1, cmd: 'status', as: 'mallory' }) + line({ id: 2, cmd: 'version', as: 'viewer' }) + '\u0001\n',
    );
    const [, denied, answered] = messages as Msg[];
    assert.deepEqual(denied, { id: 1, ok: false, error: { code: 'EPERM', message: 'unknown identity mallory' } });
    assert.deepEqual(answered, { id: 2, ok: true, result: { version: 'gateway-test', protocol: 2 } });
  });

  it('read: status is answered, stop is EPERM naming the identity and the command, and changes nothing', async () => {
    const viewer = new Client(path, { as: 'viewer' });
    try {
      const { processes } = await viewer.call('status', {});
      assert.deepEqual(processes.map((p) => [p.name, p.state]), [['web', ProcessState.STOPPED]]);
      await assert.rejects(viewer.call('stop', { names: ['all'] }), { code: 'EPERM', message: 'identity viewer may not stop: it needs the control right' });
      await assert.rejects(viewer.call('list', {}), { code: 'EPERM', message: 'identity viewer may not list: it needs the jobs right' });
      assert.ok(warnings.some((w) => w === 'refused: identity viewer may not stop: it needs the control right'), warnings.join('\n'));
    } finally {
      viewer.close();
    }
  });

  it('jobs without program rights: the job commands reach the jobs with the identity; status is EPERM', async () => {
    const runner = new Client(path, { as: 'runner' });
    try {
      await assert.rejects(runner.call('status', {}), { code: 'EPERM' });
      const { jobs } = await runner.call('list', {});
      assert.deepEqual(jobs.map((j) => [j.id, j.owner, j.user]), [['j1', 'runner', 'nobody']]);
      const { job } = await runner.call('kill', { jobId: 'j7', signal: 'KILL' });
      assert.equal(job?.id, 'j7');
      await assert.rejects(runner.call('ps', { jobId: 'nope' }), { code: 'ENOJOB', message: 'no job nope' });
      const events: string[] = [];
      for await (const item of runner.stream('logs', { jobId: 'j1' })) {
        events.push(`${item.event.case}:${Buffer.from(item.event.value as Uint8Array).toString()}`);
      }
      assert.deepEqual(events, ['stdout:out\n', 'stderr:err\n']);
      assert.deepEqual(calls.filter((c) => c.includes(' runner')), ['list runner', 'kill runner j7 KILL', 'ps runner nope', 'logs runner j1']);
    } finally {
      runner.close();
    }
  });

  it('control: a stream ends with an empty result after its items, on the wire', async () => {
    const { messages } = await exchange(path, HELLO + line({ id: 5, cmd: 'logs', as: 'ops', job_id: 'j2' }) + line({ id: 6, cmd: 'shutdown', as: 'ops' }) + '\u0001\n');
    // Answers to different requests may come in any order; those of one request come in order.
    assert.deepEqual(messages.filter((m) => m.id === 5), [
      { id: 5, item: { stdout: Buffer.from('out\n').toString('base64') } },
      { id: 5, item: { stderr: Buffer.from('err\n').toString('base64') } },
      { id: 5, ok: true, result: {} },
    ]);
    assert.deepEqual(messages.filter((m) => m.id === 6), [{ id: 6, ok: true, result: {} }]);
  });
});

describe('the local socket', () => {
  it('refuses "as", runs jobs as the daemon\'s own user, and lets its peer do everything', () =>
    withDaemon(program('web', { autostart: false }), async (d) => {
      const { messages, closed } = await exchange(d.socket, HELLO + line({ id: 1, cmd: 'status', names: [], as: 'local' }));
      assert.ok(closed);
      assert.deepEqual(messages.at(-1), { id: 1, ok: false, error: { code: 'EBADREQUEST', message: 'field "as" is only for the gateway\'s socket' } });
      const run = await d.request({ cmd: 'run', command: '/bin/sh', args: ['-c', 'echo hi'] });
      assert.equal(run.ok, true, JSON.stringify(run));
      const job = (run.result as { job: { id: string; owner: string; user: string } }).job;
      assert.equal(job.owner, 'local');
      const logs = { messages: await untilEnd(d.socket, HELLO + line({ id: 1, cmd: 'logs', job_id: job.id, follow: true })) };
      assert.deepEqual(logs.messages.filter((m) => m.id === 1 && 'item' in m).map((m) => Object.keys(m.item as object)[0]), ['stdout', 'ended']);
      const ended = logs.messages.find((m) => m.id === 1 && 'item' in m && 'ended' in (m.item as object)) as { item: { ended: { state: string; exit_code: number } } };
      assert.deepEqual([ended.item.ended.state, ended.item.ended.exit_code], ['JOB_STATE_EXITED', 0]);
      const unknown = await d.request({ cmd: 'ps', job_id: '00000000-0000-7000-8000-000000000000' });
      assert.equal((unknown.error as { code: string }).code, 'ENOJOB');
      for (const cmd of ['start', 'stop']) {
        const r = await d.request({ cmd, names: ['web'] });
        assert.equal(r.ok, true, `${cmd}: ${JSON.stringify(r)}`);
      }
    }));
});

/** The messages of a stream with id 1, up to its end message; then hangs up (a follow's connection stays open). */
function untilEnd(path: string, data: string): Promise<Record<string, unknown>[]> {
  return new Promise((done, fail) => {
    const s = connect(path);
    const split = new LineSplitter(1024 * 1024);
    const messages: Record<string, unknown>[] = [];
    s.on('data', (chunk: Buffer) => {
      for (const piece of split.push(chunk)) {
        if (piece.kind !== 'line') return fail(new Error('oversized line'));
        const m = JSON.parse(piece.line) as Record<string, unknown>;
        messages.push(m);
        if (m.id === 1 && 'ok' in m) return void (s.destroy(), done(messages));
      }
    });
    s.once('error', fail);
    s.once('close', () => fail(new Error(`closed before the end: ${JSON.stringify(messages)}`)));
    s.write(data);
  });
}
