// Each daemon command's request, text output, --json output and exit code.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCtl } from '../../src/cli/main';
import { ProcessState } from '../../src/gen/taskmaster/v1/control_pb';
import { proc, reply, runAgainst, startFakeDaemon, testIO, type FakeDaemon } from './cli-fake-daemon';

const ok = (name: string) => ({ name, ok: true, state: ProcessState.RUNNING });
const failed = (name: string, message: string) => ({ name, ok: false, state: ProcessState.FATAL, error: { code: 'ESPAWN', message } });
const ROWS = [
  proc('web:0', 'RUNNING', 'pid 41, uptime 1:02:03', { pid: 41, uptimeS: 3723 }),
  proc('web:1', 'RUNNING', 'pid 42, uptime 1:02:03', { pid: 42, uptimeS: 3723 }),
  proc('worker', 'FATAL', "can't find command 'wrk'", { exitcode: 127 }),
  proc('cron', 'STOPPED', '', { exitsignal: 'SIGKILL' }),
];


describe('status', () => {
  let d: FakeDaemon;
  before(async () => {
    d = await startFakeDaemon({
      status: (req, conn) => {
        if (req.cmd !== 'status') return;
        const { names } = req.input;
        conn.reply({ processes: names.length === 0 ? ROWS : ROWS.filter((r) => names.includes(r.name!)) });
      },
    });
  });
  after(() => d.close());
  const run = async (...argv: string[]) => {
    const io = testIO();
    const code = await runCtl(['-s', d.path, ...argv], io);
    return { code, out: io.out(), err: io.err() };
  };

  it('prints the table and exits 3 when a listed process is not running', async () => {
    assert.deepEqual(await run('status'), {
      code: 3,
      out:
        'web:0    RUNNING   pid 41, uptime 1:02:03\n' +
        'web:1    RUNNING   pid 42, uptime 1:02:03\n' +
        "worker   FATAL     can't find command 'wrk'\n" +
        'cron     STOPPED\n',
      err: '',
    });
  });

  it('passes names through and exits 0 when all listed run', async () => {
    assert.deepEqual(await run('status', 'web:0'), { code: 0, out: 'web:0   RUNNING   pid 41, uptime 1:02:03\n', err: '' });
    assert.deepEqual(d.requests.at(-1), { id: 1, cmd: 'status', names: ['web:0'], stats: false });
    await run('status');
    assert.deepEqual(d.requests.at(-1), { id: 1, cmd: 'status', names: [], stats: false });
  });

  it('--json prints the statuses in the documented shape (state names, null for what is unset), same exit code', async () => {
    const r = await run('--json', 'status');
    assert.equal(r.code, 3);
    const row = (name: string, program: string, state: string, description: string, over: object) => ({
      name, program, state, pid: null, exitcode: null, exitsignal: null, uptime_s: null, description, restarts: 0, exited_at: null, stats: null, detached_pid: null, notify_status: null, notify_phase: null, health: null, ...over,
    });
    assert.deepEqual(JSON.parse(r.out), [
      row('web:0', 'web', 'RUNNING', 'pid 41, uptime 1:02:03', { pid: 41, uptime_s: 3723 }),
      row('web:1', 'web', 'RUNNING', 'pid 42, uptime 1:02:03', { pid: 42, uptime_s: 3723 }),
      row('worker', 'worker', 'FATAL', "can't find command 'wrk'", { exitcode: 127 }),
      row('cron', 'cron', 'STOPPED', '', { exitsignal: 'SIGKILL' }),
    ]);
  });

  it('an unknown name is ENOPROGRAM: exit 4', async () => {
    const r = await runAgainst({ status: (_q, c) => c.fail('ENOPROGRAM', 'no such process "nope"') }, ['status', 'nope']);
    assert.deepEqual({ code: r.code, out: r.out, err: r.err }, { code: 4, out: '', err: 'error: no such process "nope"\n' });
  });
});

describe('start, stop, restart, signal', () => {
  it('start: one line per outcome, exit 0', async () => {
    const r = await runAgainst({ start: reply({ outcomes: [ok('web:0'), ok('web:1')] }) }, ['start', 'web:*']);
    assert.deepEqual([r.code, r.out, r.err], [0, 'web:0: started\nweb:1: started\n', '']);
    assert.deepEqual(r.requests, [{ id: 1, cmd: 'start', names: ['web:*'] }]);
  });

  it('stop all: a failed outcome prints ERROR (message) and exits 1', async () => {
    const r = await runAgainst({ stop: reply({ outcomes: [ok('web'), failed('cron', 'not running')] }) }, ['stop', 'all']);
    assert.deepEqual([r.code, r.out], [1, 'web: stopped\ncron: ERROR (not running)\n']);
    assert.deepEqual(r.requests, [{ id: 1, cmd: 'stop', names: ['all'], with_dependents: false }]);
  });

  it('stop --with-dependents asks for it', async () => {
    const r = await runAgainst({ stop: reply({ outcomes: [ok('web'), ok('db')] }) }, ['stop', '--with-dependents', 'db']);
    assert.deepEqual([r.code, r.out], [0, 'web: stopped\ndb: stopped\n']);
    assert.deepEqual(r.requests, [{ id: 1, cmd: 'stop', names: ['db'], with_dependents: true }]);
  });

  it('restart prints restarted', async () => {
    const r = await runAgainst({ restart: reply({ outcomes: [ok('web')] }) }, ['restart', 'web', 'cron']);
    assert.deepEqual([r.code, r.out], [0, 'web: restarted\n']);
    assert.deepEqual(r.requests, [{ id: 1, cmd: 'restart', names: ['web', 'cron'] }]);
  });

  it('signal sends the signal and names', async () => {
    const r = await runAgainst({ signal: reply({ outcomes: [ok('web')] }) }, ['signal', 'HUP', 'web']);
    assert.deepEqual([r.code, r.out], [0, 'web: signalled\n']);
    assert.deepEqual(r.requests, [{ id: 1, cmd: 'signal', signal: 'HUP', names: ['web'] }]);
  });

  it('--json prints the outcomes and keeps exit 1 on a failure', async () => {
    const outcomes = [failed('web', 'spawn error: ENOENT'), ok('db')];
    const r = await runAgainst({ start: reply({ outcomes }) }, ['--json', 'start', 'web']);
    assert.deepEqual([r.code, JSON.parse(r.out)], [
      1,
      [
        { name: 'web', ok: false, state: 'FATAL', error: { code: 'ESPAWN', message: 'spawn error: ENOENT' } },
        { name: 'db', ok: true, state: 'RUNNING', error: null },
      ],
    ]);
  });

  it('ENOPROGRAM for the whole request: exit 4, JSON error under --json', async () => {
    const r = await runAgainst({ start: (_q, c) => c.fail('ENOPROGRAM', 'no such program "x"') }, ['--json', 'start', 'x']);
    assert.equal(r.code, 4);
    assert.equal(r.out, '{"error":{"code":"ENOPROGRAM","message":"no such program \\"x\\""}}\n');
  });

  it('EBADSIGNAL is an error, exit 1', async () => {
    const r = await runAgainst({ signal: (_q, c) => c.fail('EBADSIGNAL', 'no signal FOO') }, ['signal', 'FOO', 'all']);
    assert.deepEqual([r.code, r.err], [1, 'error: no signal FOO\n']);
  });
});

describe('pid, shutdown, version, config', () => {
  it('pid without a name: the daemon pid', async () => {
    const r = await runAgainst({ pid: reply({ pids: [{ name: 'taskmasterd', pid: 1234 }] }) }, ['pid']);
    assert.deepEqual([r.code, r.out], [0, '1234\n']);
    // The name is a wrapper: unset, it is left out.
    assert.deepEqual(r.requests, [{ id: 1, cmd: 'pid' }]);
  });

  it('pid NAME: one per line, not running ones named', async () => {
    const pids = [{ name: 'web:0', pid: 41 }, { name: 'web:1' }];
    const r = await runAgainst({ pid: reply({ pids }) }, ['pid', 'web']);
    assert.deepEqual([r.code, r.out], [0, '41\nweb:1: not running\n']);
    assert.deepEqual(r.requests, [{ id: 1, cmd: 'pid', name: 'web' }]);
    const j = await runAgainst({ pid: reply({ pids }) }, ['--json', 'pid', 'web']);
    assert.deepEqual(JSON.parse(j.out), [
      { name: 'web:0', pid: 41 },
      { name: 'web:1', pid: null },
    ]);
  });

  it('shutdown prints "shut down"; --json prints the result', async () => {
    const r = await runAgainst({ shutdown: reply({}) }, ['shutdown']);
    assert.deepEqual([r.code, r.out], [0, 'shut down\n']);
    const j = await runAgainst({ shutdown: reply({}) }, ['--json', 'shutdown']);
    assert.equal(j.out, '{}\n');
  });

  it("version prints the daemon's; --json adds the CLI's", async () => {
    const r = await runAgainst({ version: reply({ version: '1.2.3', protocol: 2 }) }, ['version']);
    assert.deepEqual([r.code, r.out], [0, '1.2.3\n']);
    const j = await runAgainst({ version: reply({ version: '1.2.3', protocol: 2 }) }, ['--json', 'version']);
    assert.deepEqual(JSON.parse(j.out), { daemon: { version: '1.2.3', protocol: 2 }, cli: { version: '0.1.0', protocol: 2 } });
  });

  it('config prints pretty JSON', async () => {
    const programs = [{ name: 'web', cmd: 'node web.js', numprocs: 2, env: { A: '1' }, umask: null }];
    const r = await runAgainst({ config: reply({ programs }) }, ['config', 'web']);
    assert.deepEqual([r.code, r.out], [0, JSON.stringify(programs, null, 2) + '\n']);
    assert.deepEqual(r.requests, [{ id: 1, cmd: 'config', name: 'web' }]);
  });
});
