// The job commands (run, logs, ps, kill) over an in-memory Caller: what they
// ask the daemon, what they print where, and how they exit.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { JobLimitsSchema, JobSchema, JobState, LogsResponseSchema, type Job, type LogsResponse } from '../../src/gen/taskmaster/v1/jobs_pb';
import type { Caller, InitOf, OutputOf, StreamCommand, UnaryCommand } from '../../src/protocol/commands';
import { TaskmasterError } from '../../src/protocol/errors';
import { Interrupt } from '../../src/cli/interrupt';
import { makeRunner } from '../../src/cli/runner';
import { testIO } from './cli-fake-daemon';

const ID = '01900000-0000-7000-8000-000000000001';
const STARTED = Date.UTC(2024, 4, 1, 12, 0, 0);

function job(over: Partial<Omit<Job, '$typeName'>> = {}): Job {
  return create(JobSchema, {
    id: ID,
    state: JobState.RUNNING,
    command: 'tar',
    args: ['czf', '/tmp/etc.tgz', '/etc'],
    owner: 'ops',
    user: 'root',
    pid: 4242,
    startedAt: timestampFromMs(STARTED),
    ...over,
  });
}

const out = (text: string | Uint8Array): LogsResponse =>
  create(LogsResponseSchema, { event: { case: 'stdout', value: typeof text === 'string' ? Buffer.from(text) : text } });
const err = (text: string): LogsResponse => create(LogsResponseSchema, { event: { case: 'stderr', value: Buffer.from(text) } });
const ended = (j: Job): LogsResponse => create(LogsResponseSchema, { event: { case: 'ended', value: j } });

/** An answer without its $typeName: a fake daemon need not build messages. */
type Answer<C extends UnaryCommand> = Omit<OutputOf<C>, '$typeName'>;
type Unary = { [C in UnaryCommand]?: (req: InitOf<C>) => Answer<C> | Promise<Answer<C>> };
type Streams = { logs?: (req: InitOf<'logs'>, signal?: AbortSignal) => AsyncIterable<LogsResponse> };

/** A Caller that answers from the test's handlers and records every request. */
function fakeCaller(unary: Unary, streams: Streams = {}) {
  const requests: [string, unknown][] = [];
  const caller: Caller = {
    async call<C extends UnaryCommand>(cmd: C, request: InitOf<C>): Promise<OutputOf<C>> {
      requests.push([cmd, request]);
      const handler = unary[cmd] as ((r: InitOf<C>) => Answer<C>) | undefined;
      if (!handler) throw new TaskmasterError('EUNKNOWNCMD', `no handler for ${cmd}`);
      return handler(request) as OutputOf<C>;
    },
    stream<C extends StreamCommand>(cmd: C, request: InitOf<C>, signal?: AbortSignal): AsyncIterable<OutputOf<C>> {
      requests.push([cmd, request]);
      if (cmd !== 'logs' || !streams.logs) throw new TaskmasterError('EUNKNOWNCMD', `no stream for ${cmd}`);
      return streams.logs(request as InitOf<'logs'>, signal) as AsyncIterable<OutputOf<C>>;
    },
    close() {},
  };
  return { caller, requests };
}

interface Run {
  code: number;
  out: string;
  err: string;
  stdoutBytes: Buffer;
  stderrBytes: Buffer;
}

async function ctl(caller: Caller, words: string[], opts: { json?: boolean; interrupt?: Interrupt; terminate?: (fire: () => void) => void } = {}): Promise<Run> {
  const bytes: Record<1 | 2, Buffer[]> = { 1: [], 2: [] };
  const io = testIO({
    writeBytes: (fd, data) => void bytes[fd].push(Buffer.from(data)),
    onTerminate: (listener) => (opts.terminate?.(listener), () => {}),
  });
  const runner = makeRunner({ io, json: opts.json ?? false, interactive: false, socket: async () => '/nowhere', caller: async () => caller });
  const code = await runner(words, opts.interrupt ?? new Interrupt());
  return { code, out: io.out(), err: io.err(), stdoutBytes: Buffer.concat(bytes[1]), stderrBytes: Buffer.concat(bytes[2]) };
}

async function* items(...list: LogsResponse[]): AsyncIterable<LogsResponse> {
  for (const item of list) yield item;
}

describe('run', () => {
  it('prints the job id; CMD and everything after it, -C included, go to the job', async () => {
    const f = fakeCaller({ run: () => ({ job: job() }) });
    const r = await ctl(f.caller, ['run', '-e', 'A=1', '--env=B=x=y', '--dir', '/src', 'make', '-C', '/src', 'test']);
    assert.deepEqual([r.code, r.out, r.err], [0, `${ID}\n`, '']);
    assert.deepEqual(f.requests, [['run', { command: 'make', args: ['-C', '/src', 'test'], env: { A: '1', B: 'x=y' }, dir: '/src', limits: {} }]]);
  });

  it('-- ends the options: run -- ls -f', async () => {
    const f = fakeCaller({ run: () => ({ job: job() }) });
    await ctl(f.caller, ['run', '--', 'ls', '-f']);
    assert.deepEqual(f.requests[0], ['run', { command: 'ls', args: ['-f'], env: {}, dir: '', limits: {} }]);
  });

  it('--memory-max, --cpu-max, --pids-max… go to the request in the config\'s words, also as --name=VALUE', async () => {
    const f = fakeCaller({ run: () => ({ job: job() }) });
    await ctl(f.caller, ['run', '--memory-max', '64M', '--cpu-max=50%', '--pids-max', '20', '--memory-high', '48M', '--io-weight', '10', '--', 'make']);
    assert.deepEqual(f.requests[0], ['run', { command: 'make', args: [], env: {}, dir: '', limits: { memoryMax: '64M', cpuMax: '50%', pidsMax: '20', memoryHigh: '48M', ioWeight: '10' } }]);
    const bad = await ctl(f.caller, ['run', '--memory-max']);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /--memory-max needs a value/);
  });

  it('-e without NAME= and a missing CMD are usage errors, exit 1, nothing asked', async () => {
    const f = fakeCaller({});
    const bad = await ctl(f.caller, ['run', '-e', '=1', 'ls']);
    assert.deepEqual([bad.code, bad.err.split('\n')[0]], [1, 'run: -e needs NAME=VALUE, got "=1"']);
    const none = await ctl(f.caller, ['run', '-f']);
    assert.deepEqual([none.code, none.err.split('\n')[0]], [1, 'run: missing CMD']);
    assert.deepEqual(f.requests, []);
  });

  it('a job that FAILED to start: the reason, exit 1', async () => {
    const f = fakeCaller({ run: () => ({ job: job({ state: JobState.FAILED, error: 'no such file: tarr', pid: undefined, command: 'tarr', args: [] }) }) });
    const r = await ctl(f.caller, ['run', '-f', 'tarr']);
    assert.deepEqual([r.code, r.out, r.err], [1, '', `error: job ${ID}: cannot start tarr: no such file: tarr\n`]);
  });

  it('-f copies stdout and stderr byte for byte and exits with the job code', async () => {
    const notUtf8 = Uint8Array.from([0xff, 0xfe, 0x00, 0xe2, 0x82]); // a € cut in two, then its last byte
    const f = fakeCaller(
      { run: () => ({ job: job() }) },
      { logs: () => items(out('one\n'), err('warn\n'), out(notUtf8), out(Uint8Array.from([0xac])), ended(job({ state: JobState.EXITED, exitCode: 3 }))) },
    );
    const r = await ctl(f.caller, ['run', '-f', 'tar']);
    assert.equal(r.code, 3);
    assert.deepEqual(r.stdoutBytes, Buffer.concat([Buffer.from('one\n'), notUtf8, Buffer.from([0xac])]));
    assert.deepEqual(r.stderrBytes, Buffer.from('warn\n'));
    assert.deepEqual(f.requests[1], ['logs', { jobId: ID, follow: true }]);
  });

  it('-f of a job killed by a signal: 128+N, and says so', async () => {
    const f = fakeCaller({ run: () => ({ job: job() }) }, { logs: () => items(ended(job({ state: JobState.KILLED, signal: 'SIGKILL' }))) });
    const r = await ctl(f.caller, ['run', '-f', 'tar']);
    assert.deepEqual([r.code, r.err], [137, `taskmasterctl: job ${ID} killed by SIGKILL\n`]);
  });

  it('-f whose stream ends without the end message asks ps how the job ended', async () => {
    const f = fakeCaller(
      { run: () => ({ job: job() }), ps: () => ({ job: job({ state: JobState.EXITED, exitCode: 0 }) }) },
      { logs: () => items(out('x')) },
    );
    assert.equal((await ctl(f.caller, ['run', '-f', 'tar'])).code, 0);
    assert.deepEqual(f.requests.at(-1), ['ps', { jobId: ID }]);
  });

  /** A job that runs until killed, then ends KILLED by SIGTERM. */
  function killable() {
    let release!: () => void;
    const killedNow = new Promise<void>((resolve) => (release = resolve));
    let logsStarted!: () => void;
    const following = new Promise<void>((resolve) => (logsStarted = resolve));
    const f = fakeCaller(
      { run: () => ({ job: job() }), kill: () => (release(), { job: job() }) },
      {
        logs: async function* () {
          yield out('working\n');
          logsStarted();
          await killedNow;
          yield ended(job({ state: JobState.KILLED, signal: 'SIGTERM' }));
        },
      },
    );
    return { f, following };
  }

  it('Ctrl-C during -f kills the job, waits for its end, says so, exits 130', async () => {
    const { f, following } = killable();
    const interrupt = new Interrupt();
    void following.then(() => interrupt.abort());
    const r = await ctl(f.caller, ['run', '-f', 'tar'], { interrupt });
    assert.equal(r.code, 130);
    assert.equal(r.err, `taskmasterctl: interrupted: killed job ${ID}\n`);
    assert.deepEqual(r.stdoutBytes, Buffer.from('working\n'));
    assert.deepEqual(f.requests.filter(([cmd]) => cmd === 'kill'), [['kill', { jobId: ID }]]);
  });

  it('SIGTERM or SIGHUP during -f does the same', async () => {
    const { f, following } = killable();
    const r = await ctl(f.caller, ['run', '-f', 'tar'], { terminate: (fire) => void following.then(fire) });
    assert.deepEqual([r.code, r.err], [130, `taskmasterctl: interrupted: killed job ${ID}\n`]);
  });

  it('Ctrl-C before the daemon named the job: the job is killed once it is known', async () => {
    const interrupt = new Interrupt();
    const f = fakeCaller({ run: () => (interrupt.abort(), { job: job() }), kill: () => ({ job: job() }) });
    const r = await ctl(f.caller, ['run', 'tar'], { interrupt });
    assert.deepEqual([r.code, r.err], [130, `taskmasterctl: interrupted: killed job ${ID}\n`]);
    assert.deepEqual(f.requests.map(([cmd]) => cmd), ['run', 'kill']);
  });

  it('--json prints the job as the schema renders it', async () => {
    const f = fakeCaller({ run: () => ({ job: job() }) });
    const r = await ctl(f.caller, ['run', 'tar'], { json: true });
    assert.deepEqual(JSON.parse(r.out), {
      id: ID,
      state: 'JOB_STATE_RUNNING',
      command: 'tar',
      args: ['czf', '/tmp/etc.tgz', '/etc'],
      owner: 'ops',
      user: 'root',
      pid: 4242,
      started_at: '2024-05-01T12:00:00Z',
    });
  });
});

describe('logs', () => {
  it('stdout and stderr to their own descriptors, from the first byte; no follow unless -f', async () => {
    const f = fakeCaller({}, { logs: () => items(out('a'), err('b'), out('c')) });
    const r = await ctl(f.caller, ['logs', ID]);
    assert.deepEqual([r.code, String(r.stdoutBytes), String(r.stderrBytes)], [0, 'ac', 'b']);
    assert.deepEqual(f.requests, [['logs', { jobId: ID, follow: false }]]);
    await ctl(f.caller, ['logs', '-f', ID]);
    assert.deepEqual(f.requests.at(-1), ['logs', { jobId: ID, follow: true }]);
  });

  it('an unknown job is ENOJOB: exit 4, as an unknown program', async () => {
    const f = fakeCaller({}, { logs: () => { throw new TaskmasterError('ENOJOB', `no job ${ID}`); } });
    const r = await ctl(f.caller, ['logs', ID]);
    assert.deepEqual([r.code, r.err], [4, `error: no job ${ID}\n`]);
  });
});

describe('ps', () => {
  it('ps ID: the job in detail', async () => {
    const f = fakeCaller({ ps: () => ({ job: job({ state: JobState.EXITED, exitCode: 2, pid: undefined, endedAt: timestampFromMs(STARTED + 61_000) }) }) });
    const r = await ctl(f.caller, ['ps', ID]);
    assert.equal(r.code, 0);
    assert.equal(
      r.out,
      [
        `id:      ${ID}`,
        'state:   EXITED (2)',
        'command: tar czf /tmp/etc.tgz /etc',
        'owner:   ops (runs as root)',
        'started: 2024-05-01T12:00:00Z',
        'ended:   2024-05-01T12:01:01Z',
        '',
      ].join('\n'),
    );
    assert.deepEqual(f.requests, [['ps', { jobId: ID }]]);
  });

  it('ps ID: the limits it asked for and an OOM kill as the reason; run -f says the same and exits 128+9', async () => {
    const oom = job({
      state: JobState.KILLED,
      signal: 'SIGKILL',
      pid: 77,
      limits: create(JobLimitsSchema, { memoryMax: '32M', pidsMax: '10' }),
      endReason: 'killed by the OOM killer (memory_max 32M)',
    });
    const r = await ctl(fakeCaller({ ps: () => ({ job: oom }) }).caller, ['ps', ID]);
    assert.match(r.out, /^state: {3}KILLED \(SIGKILL\)$/m);
    assert.match(r.out, /^reason: {2}killed by the OOM killer \(memory_max 32M\)$/m);
    assert.match(r.out, /^limits: {2}memory_max 32M, pids_max 10$/m);
    const f = fakeCaller({ run: () => ({ job: job({ pid: 77 }) }) }, { logs: () => items(ended(oom)) });
    const run = await ctl(f.caller, ['run', '-f', '--memory-max', '32M', '--', 'tail', '/dev/zero']);
    assert.equal(run.code, 128 + 9);
    assert.equal(run.err, `taskmasterctl: job ${ID} killed by the OOM killer (memory_max 32M)\n`);
  });

  it('ps: a table of the jobs in the order the daemon gives (newest first), columns as wide as they need', async () => {
    const newer = job({ id: 'b2', command: 'sh', args: ['-c', 'echo hi; exit 1'], state: JobState.EXITED, exitCode: 1 });
    const older = job({ id: 'a1', state: JobState.KILLED, signal: 'SIGKILL', startedAt: timestampFromMs(STARTED - 3_600_000) });
    const f = fakeCaller({ list: () => ({ jobs: [newer, older, job({ id: 'c3', state: JobState.RUNNING, command: 'sleep', args: ['9'] })] }) });
    const r = await ctl(f.caller, ['ps']);
    assert.equal(
      r.out,
      [
        'ID  STATE    EXIT     STARTED               COMMAND',
        "b2  EXITED   1        2024-05-01T12:00:00Z  sh -c 'echo hi; exit 1'",
        'a1  KILLED   SIGKILL  2024-05-01T11:00:00Z  tar czf /tmp/etc.tgz /etc',
        'c3  RUNNING           2024-05-01T12:00:00Z  sleep 9',
        '',
      ].join('\n'),
    );
  });

  it('ps with no jobs says so; --json gives the list', async () => {
    const f = fakeCaller({ list: () => ({ jobs: [] }) });
    assert.equal((await ctl(f.caller, ['ps'])).out, 'no jobs\n');
    assert.equal((await ctl(f.caller, ['ps'], { json: true })).out, '[]\n');
  });
});

describe('kill', () => {
  it('kill [-s SIG] ID: the signal as given, or none for the daemon default', async () => {
    const f = fakeCaller({ kill: () => ({ job: job() }) });
    const r = await ctl(f.caller, ['kill', '-s', 'KILL', ID]);
    assert.deepEqual([r.code, r.out], [0, `${ID}: signalled\n`]);
    await ctl(f.caller, ['kill', ID]);
    assert.deepEqual(f.requests, [['kill', { jobId: ID, signal: 'KILL' }], ['kill', { jobId: ID, signal: '' }]]);
  });

  it('a job that has ended: ENOTRUNNING, exit 1', async () => {
    const f = fakeCaller({ kill: () => { throw new TaskmasterError('ENOTRUNNING', `job ${ID} is not running`); } });
    const r = await ctl(f.caller, ['kill', ID]);
    assert.deepEqual([r.code, r.err], [1, `error: job ${ID} is not running\n`]);
  });
});
