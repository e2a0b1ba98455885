// The remote API end to end: the real daemon, the gateway it starts as an
// unprivileged user, and three clients that share no code with the server
// side — Python's gRPC, @grpc/grpc-js, and taskmasterctl -H.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GATEWAY_USER, grpcJsCall } from './gateway-helpers';
import { alive, ROOT, waitFor } from './harness';
import { procStatus, program } from './lifecycle-helpers';
import { grpcJs, JOB_USER, type RemoteDaemon, startRemoteDaemon } from './remote-helpers';

const b64 = (s: unknown): string => Buffer.from(String(s), 'base64').toString();
const NEVER = '01900000-0000-7000-8000-000000000000';
// Uptimes tick between two status calls; nothing else may differ.
const steady = (text: string): string => text.replace(/uptime \d+:\d\d:\d\d/g, 'uptime T');

describe('the remote API end to end', { timeout: 180_000 }, () => {
  let r: RemoteDaemon;
  before(async () => {
    r = await startRemoteDaemon(program('web', { cmd: 'sleep 1000' }) + program('idle', { cmd: 'sleep 1000', autostart: false }));
    await waitFor(async () => (await r.d.status()).find((p) => p.name === 'web')?.state === 'RUNNING', 'web RUNNING');
  });
  after(async () => r?.d.stop());

  it('status over -H is the local status, text and --json, with the same exit code', async () => {
    const local = r.d.ctl('status');
    const remote = await r.ctl(r.certs.ops, 'status');
    assert.equal(remote.code, local.code, remote.stderr);
    assert.equal(steady(remote.stdout), steady(local.stdout));
    const localJson = r.d.ctl('--json', 'status', 'idle');
    const remoteJson = await r.ctl(r.certs.ops, '--json', 'status', 'idle');
    assert.deepEqual([remoteJson.code, remoteJson.stdout], [localJson.code, localJson.stdout]);
    const missing = await r.ctl(r.certs.ops, 'status', 'nosuch');
    assert.deepEqual([missing.code, missing.stderr], [r.d.ctl('status', 'nosuch').code, r.d.ctl('status', 'nosuch').stderr]);
  });

  it('Python runs, follows, polls and kills jobs over mutual TLS; health says SERVING', async () => {
    assert.deepEqual((await r.python(r.certs.ops, 'health')).lines, [{ status: 'SERVING' }]);
    const run = await r.python(r.certs.ops, 'run', '/bin/sh', '-c', 'echo out; echo err >&2; exit 3');
    assert.equal(run.code, 0, run.stderr);
    const id = String(run.lines[0]!.id);
    const follow = await r.python(r.certs.ops, 'follow', id);
    const out = follow.lines.filter((l) => 'stdout' in l).map((l) => b64(l.stdout)).join('');
    const err = follow.lines.filter((l) => 'stderr' in l).map((l) => b64(l.stderr)).join('');
    assert.deepEqual([out, err], ['out\n', 'err\n']);
    assert.deepEqual(follow.lines.at(-1), { ended: { id, state: 'EXITED', exit_code: 3, signal: null, owner: 'ops', error: '' } });
    const ps = await r.python(r.certs.ops, 'ps', id);
    assert.equal(ps.lines[0]!.state, 'EXITED');

    const sleeper = String((await r.python(r.certs.ops, 'run', 'sleep', '1000')).lines[0]!.id);
    assert.equal((await r.python(r.certs.ops, 'kill', sleeper)).code, 0);
    const ended = (await r.python(r.certs.ops, 'follow', sleeper)).lines.at(-1)!.ended as Record<string, unknown>;
    assert.deepEqual([ended.state, ended.signal], ['KILLED', 'SIGTERM']);
  });

  it('@grpc/grpc-js: status as the local one, a job run and listed', async () => {
    const control = grpcJs(r, r.certs.ops, 'ControlService');
    const jobs = grpcJs(r, r.certs.ops, 'JobService');
    try {
      const remote = await grpcJsCall<{ processes: { name: string; state: string; pid: { value: number } | null }[] }>(control, 'Status', {});
      const local = await r.d.status();
      assert.deepEqual(
        remote.processes.map((p) => [p.name, p.state.replace('PROCESS_STATE_', ''), p.pid?.value ?? null]),
        local.map((p) => [p.name, p.state, p.pid]),
      );
      const run = await grpcJsCall<{ job: { id: string; owner: string } }>(jobs, 'Run', { command: '/bin/true' });
      assert.equal(run.job.owner, 'ops');
      const list = await grpcJsCall<{ jobs: { id: string }[] }>(jobs, 'List', {});
      assert.equal(list.jobs[0]?.id, run.job.id, 'newest first');
    } finally {
      control.close();
      jobs.close();
    }
  });

  it('taskmasterctl -H run -f streams the output and exits with the job\'s code', async () => {
    const res = await r.ctl(r.certs.ops, 'run', '-f', '--', '/bin/sh', '-c', 'echo hi; echo oops >&2; exit 7');
    assert.deepEqual([res.code, res.stdout, res.stderr], [7, 'hi\n', 'oops\n']);
    const id = (await r.ctl(r.certs.ops, 'run', '--', '/bin/echo', 'later')).stdout.trim();
    assert.match(id, /^[0-9a-f-]{36}$/);
    const logs = await r.ctl(r.certs.ops, 'logs', '-f', id);
    assert.deepEqual([logs.code, logs.stdout], [0, 'later\n']);
  });

  it('refuses an identity the config does not name, and a read identity calling stop', async () => {
    const stranger = await r.python(r.certs.stranger, 'status');
    assert.equal(stranger.code, 2);
    assert.equal((stranger.lines[0]!.error as { code: string }).code, 'PERMISSION_DENIED');
    const webPid = (await r.d.status()).find((p) => p.name === 'web')!.pid;
    const stop = await r.ctl(r.certs.dev, 'stop', 'web');
    assert.notEqual(stop.code, 0);
    assert.match(stop.stderr, /dev may not stop/);
    assert.equal((await r.d.status()).find((p) => p.name === 'web')!.pid, webPid, 'web untouched');
    assert.equal((await r.ctl(r.certs.dev, 'status', 'web')).code, 0, 'dev may read');
  });

  it('isolation: another identity\'s job is NOT_FOUND like one that never existed; admin sees all', async () => {
    const opsJob = String((await r.python(r.certs.ops, 'run', 'sleep', '1000')).lines[0]!.id);
    const devRun = await r.python(r.certs.dev, 'run', 'sleep', '1000');
    const devJob = String(devRun.lines[0]!.id);
    const devPid = await waitFor(async () => {
      const listed = await r.ctl(r.certs.dev, '--json', 'ps', devJob);
      return (JSON.parse(listed.stdout) as { pid: number | null }).pid;
    }, 'dev\'s job to have a pid');
    assert.deepEqual(procStatus(devPid!, 'Uid'), Array(4).fill(procUid(JOB_USER)), 'dev\'s job runs as its run_as user');

    for (const cmd of [['ps'], ['follow'], ['kill']]) {
      const theirs = await r.python(r.certs.dev, ...cmd, opsJob);
      const never = await r.python(r.certs.dev, ...cmd, NEVER);
      assert.equal((theirs.lines[0]!.error as { code: string }).code, 'NOT_FOUND', cmd[0]);
      const same = (s: string) => s.replace(opsJob, 'ID').replace(NEVER, 'ID');
      assert.equal(same(JSON.stringify(theirs.lines[0])), same(JSON.stringify(never.lines[0])), `${cmd[0]}: the same answer`);
    }
    const opsList = (await r.python(r.certs.ops, 'list')).lines[0]!.ids as string[];
    assert.ok(opsList.includes(opsJob) && !opsList.includes(devJob));
    const bossList = (await r.python(r.certs.boss, 'list')).lines[0]!.ids as string[];
    assert.ok(bossList.includes(opsJob) && bossList.includes(devJob), 'the admin sees every job');
    assert.equal((await r.python(r.certs.boss, 'kill', devJob)).code, 0, 'and may kill it');
    assert.equal((await r.python(r.certs.ops, 'kill', opsJob)).code, 0);
  });

  it('the gateway runs as its unprivileged user; killed, it comes back and the daemon and programs carry on', async () => {
    const pids = () => [...r.d.output().matchAll(/remote API gateway started \(pid (\d+)\)/g)].map((m) => Number(m[1]));
    const gateway = pids().at(-1)!;
    assert.deepEqual(procStatus(gateway, 'Uid'), Array(4).fill(String(GATEWAY_USER.uid)));
    const web = (await r.d.status()).find((p) => p.name === 'web')!.pid;
    const before = pids().length;
    const t0 = Date.now();
    process.kill(gateway, 'SIGKILL');
    await waitFor(async () => (await r.python(r.certs.ops, 'health')).lines[0]?.status === 'SERVING' && pids().length > before, 'the gateway back');
    process.stderr.write(`# gateway killed → serving again in ${Date.now() - t0} ms (restart delay: ${/restarting in (\d+) ms/.exec(r.d.output())?.[1]} ms)\n`);
    assert.ok(alive(r.d.proc.pid!));
    assert.equal((await r.d.status()).find((p) => p.name === 'web')!.pid, web, 'web untouched');
    assert.equal((await r.ctl(r.certs.ops, 'status', 'web')).code, 0);
  });

  it('a reload applies new users and a new CRL to the next call, and an established follow goes on', async () => {
    const follower = await r.python(r.certs.ops, 'run', '/bin/sh', '-c', 'echo before; exec sleep 1000');
    const id = String(follower.lines[0]!.id);
    const stream = r.pythonStream(r.certs.ops, 'follow', id);
    await waitFor(() => stream.lines().some((l) => 'stdout' in l), 'the follow to start');
    assert.equal((await r.python(r.certs.dev, 'list')).code, 0, 'dev may list before');
    assert.equal((await r.python(r.certs.boss, 'list')).code, 0, 'boss may list before');

    // dev leaves the users; boss's certificate is revoked.
    writeFileSync(r.d.configFile, readFileSync(r.d.configFile, 'utf8').replace(/^ +dev: .*\n/m, ''));
    execFileSync(join(ROOT, 'packaging/certs.sh'), ['revoke', r.certs.dir, 'boss'], { stdio: 'ignore' });
    const reload = r.d.ctl('reload');
    assert.equal(reload.code, 0, reload.stderr);

    const dev = await r.python(r.certs.dev, 'list');
    assert.equal((dev.lines[0]!.error as { code: string }).code, 'PERMISSION_DENIED', 'an identity the config no longer names');
    await waitFor(async () => (await r.python(r.certs.boss, 'list')).code !== 0, 'the revoked certificate to be refused');
    assert.ok(!stream.ended(), 'the follow begun before the reload is still open');
    assert.equal((await r.python(r.certs.ops, 'kill', id, 'KILL')).code, 0);
    await waitFor(() => stream.ended(), 'the follow to end with the job');
    assert.deepEqual((stream.lines().at(-1)!.ended as { state: string }).state, 'KILLED');
  });
});

function procUid(user: string): string {
  return execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim();
}
