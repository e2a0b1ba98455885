// taskmasterctl's one-shot commands against the real daemon: what each
// prints, its exit code, and that the daemon did what it said.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { alive, ROOT, runCtl, stateOf, TASKMASTERCTL } from './harness';
import { program, waitState, withDaemon } from './lifecycle-helpers';

const TWO = program('web', {}) + program('idle', { autostart: false });

test('status prints a table and exits 3 while one process is not RUNNING, 0 once all are', () =>
  withDaemon(TWO, async (d) => {
    await waitState(d, 'web', 'RUNNING');
    const some = d.ctl('status');
    assert.equal(some.code, 3, some.stderr);
    assert.match(some.stdout, /^web\s+RUNNING\s+pid \d+, uptime \d+:\d\d:\d\d$/m);
    assert.match(some.stdout, /^idle\s+STOPPED\s+Not started$/m);

    assert.equal(d.ctl('start', 'idle').code, 0);
    const all = d.ctl('status');
    assert.equal(all.code, 0, all.stdout);
    assert.equal(all.stdout.trim().split('\n').length, 2);
  }));

test('status NAME shows only that process, and its exit code is about that process only', () =>
  withDaemon(TWO, async (d) => {
    await waitState(d, 'web', 'RUNNING');
    const web = d.ctl('status', 'web');
    assert.equal(web.code, 0);
    assert.match(web.stdout, /^web\s+RUNNING/);
    assert.doesNotMatch(web.stdout, /idle/);
    const idle = d.ctl('status', 'idle');
    assert.equal(idle.code, 3);
    assert.doesNotMatch(idle.stdout, /web/);
  }));

test('--json status is an array of objects with name, program, state, pid, exitcode, uptime_s, description', () =>
  withDaemon(TWO, async (d) => {
    const web = await waitState(d, 'web', 'RUNNING');
    const r = d.ctl('--json', 'status');
    assert.equal(r.code, 3);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.ok(Array.isArray(rows));
    const byName = Object.fromEntries(rows.map((row) => [row.name, row]));
    assert.deepEqual(Object.keys(byName).sort(), ['idle', 'web']);
    const w = byName.web!;
    assert.equal(w.program, 'web');
    assert.equal(w.state, 'RUNNING');
    assert.equal(w.pid, web.pid);
    assert.equal(w.exitcode, null);
    assert.equal(typeof w.uptime_s, 'number');
    assert.match(String(w.description), /^pid \d+, uptime/);
    const i = byName.idle!;
    assert.equal(i.state, 'STOPPED');
    assert.equal(i.pid, null);
    assert.equal(i.exitcode, null);
    assert.equal(i.uptime_s, null);
    assert.equal(i.description, 'Not started');
  }));

test('an unknown process name exits 4 and names it, for status, start and tail', () =>
  withDaemon(TWO, async (d) => {
    for (const args of [['status', 'nope'], ['start', 'nope'], ['tail', 'nope']]) {
      const r = d.ctl(...args);
      assert.equal(r.code, 4, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /no such process: nope/);
    }
    const json = d.ctl('--json', 'status', 'nope');
    assert.equal(json.code, 4);
    assert.equal((JSON.parse(json.stdout) as { error: { code: string } }).error.code, 'ENOPROGRAM');
  }));

test('with no daemon behind the socket path, taskmasterctl exits 4 and says it cannot reach it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tm-it-'));
  try {
    // Nothing at the path at all.
    const missing = spawnSync(TASKMASTERCTL, ['-s', join(dir, 'none.sock'), 'status'], { encoding: 'utf8' });
    assert.equal(missing.status, 4, missing.stderr);
    assert.match(missing.stderr, /cannot reach taskmasterd at .*none\.sock/);
    // A socket file left behind with no one listening, as a killed daemon leaves it.
    const stale = join(dir, 'stale.sock');
    const listener = `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`;
    spawnSync(process.execPath, ['-e', listener]);
    assert.ok(existsSync(stale));
    const refused = spawnSync(TASKMASTERCTL, ['-s', stale, 'status'], { encoding: 'utf8' });
    assert.equal(refused.status, 4, refused.stderr);
    assert.match(refused.stderr, /cannot reach taskmasterd/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('start, stop and restart take several names or all, and return once the processes are there', () =>
  withDaemon(program('a', { autostart: false, starttime: 0.5 }) + program('b', { autostart: false, starttime: 0.5 }), async (d) => {
    const started = d.ctl('start', 'a', 'b');
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, /^a: started$/m);
    assert.match(started.stdout, /^b: started$/m);
    const before = await d.status();
    assert.deepEqual(before.map((s) => s.state), ['RUNNING', 'RUNNING']);

    const restarted = d.ctl('restart', 'all');
    assert.equal(restarted.code, 0, restarted.stderr);
    const after = await d.status();
    assert.deepEqual(after.map((s) => s.state), ['RUNNING', 'RUNNING']);
    for (const [i, s] of after.entries()) {
      assert.notEqual(s.pid, before[i]!.pid);
      assert.equal(alive(before[i]!.pid!), false);
    }

    const stopped = d.ctl('stop', 'all');
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.deepEqual((await d.status()).map((s) => `${s.name}=${s.state}`), ['a=STOPPED', 'b=STOPPED']);
    for (const s of after) assert.equal(alive(s.pid!), false);
  }));

test('stop of a process that is not running exits 1 and says why; the others in the request still stop', () =>
  withDaemon(TWO, async (d) => {
    await waitState(d, 'web', 'RUNNING');
    const r = d.ctl('stop', 'idle', 'web');
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^idle: ERROR/m);
    assert.equal((await stateOf(d, 'web')).state, 'STOPPED');
  }));

// Not the node fixture: node itself handles SIGUSR1 (it opens the inspector).
test('signal USR1 reaches the child: one without a handler dies by SIGUSR1', () =>
  withDaemon(program('p', { cmd: 'sleep 1000', autorestart: false }), async (d) => {
    const { pid } = await waitState(d, 'p', 'RUNNING');
    const r = d.ctl('signal', 'USR1', 'p');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^p: signalled$/m);
    const s = await waitState(d, 'p', 'EXITED');
    assert.equal(s.exitsignal, 'SIGUSR1');
    assert.equal(alive(pid!), false);
  }));

test('signal takes a number or a SIG-prefixed name as well: 12 and SIGUSR2 both deliver SIGUSR2', () =>
  withDaemon(program('n', { cmd: 'sleep 1000', autorestart: false }) + program('s', { cmd: 'sleep 1000', autorestart: false }), async (d) => {
    await waitState(d, 'n', 'RUNNING');
    await waitState(d, 's', 'RUNNING');
    assert.equal(d.ctl('signal', '12', 'n').code, 0);
    assert.equal(d.ctl('signal', 'SIGUSR2', 's').code, 0);
    assert.equal((await waitState(d, 'n', 'EXITED')).exitsignal, 'SIGUSR2');
    assert.equal((await waitState(d, 's', 'EXITED')).exitsignal, 'SIGUSR2');
  }));

test('signal BOGUS exits 1 with the list of valid signals, and sends nothing', () =>
  withDaemon(program('p', {}), async (d) => {
    const { pid } = await waitState(d, 'p', 'RUNNING');
    const r = d.ctl('signal', 'BOGUS', 'p');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown signal "BOGUS"/);
    for (const sig of ['HUP', 'TERM', 'USR1', 'KILL']) assert.match(r.stderr, new RegExp(`\\b${sig}\\b`));
    assert.equal((await stateOf(d, 'p')).pid, pid);
  }));

test('pid prints the daemon process pid; pid NAME the process pid, or "not running"', () =>
  withDaemon(TWO, async (d) => {
    const web = await waitState(d, 'web', 'RUNNING');
    const daemon = d.ctl('pid');
    assert.equal(daemon.code, 0);
    assert.equal(daemon.stdout.trim(), String(d.proc.pid));
    assert.equal(d.ctl('pid', 'web').stdout.trim(), String(web.pid));
    assert.equal(d.ctl('pid', 'idle').stdout.trim(), 'idle: not running');
  }));

test('config NAME prints the effective config as JSON, with defaults filled in', () =>
  withDaemon(program('web', { numprocs: 2 }), async (d) => {
    const r = d.ctl('config', 'web');
    assert.equal(r.code, 0, r.stderr);
    const [cfg] = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.equal(cfg!.numprocs, 2);
    assert.equal(cfg!.startretries, 3);
    assert.equal(cfg!.autorestart, 'unexpected');
    assert.deepEqual(cfg!.exitcodes, [0]);
    assert.equal(cfg!.stopsignal, 'TERM');
    // A process name of the program gives the same program.
    assert.deepEqual(JSON.parse(d.ctl('config', 'web:1').stdout), JSON.parse(r.stdout));
  }));

test('version prints the daemon version, the one in package.json', () =>
  withDaemon(TWO, async (d) => {
    const { version } = require(join(ROOT, 'package.json')) as { version: string };
    const r = d.ctl('version');
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), version);
    const json = JSON.parse(d.ctl('--json', 'version').stdout) as { daemon: { version: string; protocol: number } };
    assert.deepEqual(json.daemon, { version, protocol: 2 });
  }));

test('help lists every command without a daemon; help start shows its usage; help of a typo suggests', async () => {
  const nowhere = ['-s', join(tmpdir(), 'tm-no-daemon.sock')];
  const all = await runCtl([...nowhere, 'help']);
  assert.equal(all.code, 0, all.stderr);
  for (const cmd of ['status', 'start', 'stop', 'restart', 'signal', 'reload', 'config', 'tail', 'maintail', 'pid', 'shutdown', 'version', 'help']) {
    assert.match(all.stdout, new RegExp(`^  ${cmd}\\b`, 'm'), cmd);
  }
  const start = await runCtl([...nowhere, 'help', 'start']);
  assert.equal(start.code, 0);
  assert.match(start.stdout, /^usage: start NAME…\|all$/m);
  const typo = await runCtl([...nowhere, 'help', 'strat']);
  assert.equal(typo.code, 1);
  assert.match(typo.stderr, /did you mean "start"/);
});

test('shutdown stops every child, removes the socket file and the daemon exits 0', () =>
  withDaemon(program('a', {}) + program('b', { numprocs: 2, env: { CHILD_IGNORE: 'TERM' }, stoptime: 0.5 }), async (d) => {
    await waitState(d, 'a', 'RUNNING');
    await waitState(d, 'b:0', 'RUNNING');
    await waitState(d, 'b:1', 'RUNNING');
    const pids = (await d.status()).map((s) => s.pid!);
    const r = d.ctl('shutdown');
    assert.equal(r.code, 0, r.stderr);
    const exit = await d.exited;
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.equal(existsSync(d.socket), false);
    for (const pid of pids) assert.equal(alive(pid), false, `pid ${pid} left behind`);
    // And the CLI now finds no one.
    assert.equal(d.ctl('status').code, 4);
  }));

test('-c CONFIG finds the socket through the config file', () =>
  withDaemon(TWO, async (d) => {
    await waitState(d, 'web', 'RUNNING');
    const r = spawnSync(TASKMASTERCTL, ['-c', d.configFile, 'status', 'web'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^web\s+RUNNING/);
  }));
