// Starting taskmasterd: --check, refusing an invalid config, the control
// socket's mode, a second daemon on a taken socket, and a stale socket left
// by a daemon that was killed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { alive, CHILD_CMD, startDaemon, TASKMASTERD } from './harness';
import { isSocketFile, locatedIn, pidsOf, spawnDaemon, waitServing } from './control-helpers';
import { killQuietly, program, waitState, withDaemon } from './lifecycle-helpers';

/** A config file in a fresh temp dir; `body` is everything after the taskmasterd section. */
async function withConfigFile(body: string, run: (file: string, socket: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tm-it-'));
  const socket = join(dir, 'tm.sock');
  const file = join(dir, 'taskmaster.yaml');
  writeFileSync(file, `taskmasterd:\n  socket: ${socket}\n  childlogdir: ${join(dir, 'logs')}\n${body}`);
  try {
    await run(file, socket);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const VALID = `programs:\n  web:\n    cmd: ${CHILD_CMD}\n`;
// An unknown key, a bad signal and a bad type: three errors, all reported.
const INVALID = `programs:\n  web:\n    cmd: ${CHILD_CMD}\n    autostrat: true\n    stopsignal: BOGUS\n    numprocs: many\n`;

test('taskmasterd --check exits 0 on a valid file and starts nothing', () =>
  withConfigFile(VALID, async (file, socket) => {
    const r = spawnSync(TASKMASTERD, ['--check', '-c', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /OK \(1 programs\)/);
    assert.equal(existsSync(socket), false);
  }));

test('taskmasterd --check exits 1 on an invalid file, every error on stderr with file:line:col', () =>
  withConfigFile(INVALID, async (file) => {
    const r = spawnSync(TASKMASTERD, ['--check', '-c', file], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    const errors = r.stderr.split('\n').filter((l) => locatedIn(file).test(l));
    assert.equal(errors.length, 3, r.stderr);
    assert.ok(errors[0]!.startsWith(`${file}:7:5: program "web", key "autostrat"`), errors[0]);
    assert.match(errors[0]!, /did you mean "autostart"/);
    assert.ok(errors[1]!.startsWith(`${file}:8:17: program "web", key "stopsignal"`), errors[1]);
    assert.ok(errors[2]!.startsWith(`${file}:9:15: program "web", key "numprocs"`), errors[2]);
  }));

test('taskmasterd refuses to start on an invalid config: exit 1, the errors printed, no socket created', () =>
  withConfigFile(INVALID, async (file, socket) => {
    const r = spawnSync(TASKMASTERD, ['-c', file], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, locatedIn(file));
    assert.match(r.stderr, /3 error\(s\); nothing started/);
    assert.equal(existsSync(socket), false);
  }));

test('a missing config file is an error naming it, not a crash', () =>
  withConfigFile(VALID, async (file) => {
    const missing = `${file}.missing`;
    const r = spawnSync(TASKMASTERD, ['--check', '-c', missing], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.ok(r.stderr.includes(missing), r.stderr);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/); // no stack trace
  }));

test('the socket file has mode 0700 by default', () =>
  withDaemon(program('web', {}), async (d) => {
    assert.equal(lstatSync(d.socket).mode & 0o777, 0o700);
  }));

test('socket_mode "0770" gives the socket file mode 0770', () =>
  withDaemon(program('web', {}), async (d) => {
    assert.equal(lstatSync(d.socket).mode & 0o777, 0o770);
  }, '  socket_mode: "0770"\n'));

test('a second taskmasterd on the same socket refuses to start; the first keeps its socket and processes', () =>
  withDaemon(program('web', {}), async (d) => {
    await waitState(d, 'web', 'RUNNING');
    const before = await pidsOf(d);
    const second = spawnDaemon(['-c', d.configFile]);
    const exit = await second.exited;
    assert.notEqual(exit.code, 0);
    assert.match(second.output(), /another taskmasterd is already listening on .*tm\.sock/);
    assert.doesNotMatch(second.output(), /spawned:/);
    assert.ok(isSocketFile(d.socket));
    assert.deepEqual(await pidsOf(d), before);
    assert.equal(d.ctl('status').code, 0);
  }));

test('a file at the socket path that is not a socket is left alone and the daemon refuses to start', () =>
  withConfigFile(VALID, async (file, socket) => {
    writeFileSync(socket, 'precious');
    const r = spawnSync(TASKMASTERD, ['-c', file], { encoding: 'utf8', timeout: 30_000 });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /exists and is not a socket/);
    assert.equal(lstatSync(socket).isFile(), true);
  }));

test('a stale socket file from a daemon killed with SIGKILL is replaced on the next start', async () => {
  const d = await startDaemon(program('web', {}));
  let orphan: number | null = null;
  let next: ReturnType<typeof spawnDaemon> | null = null;
  try {
    orphan = (await waitState(d, 'web', 'RUNNING')).pid;
    d.proc.kill('SIGKILL');
    await d.exited;
    assert.ok(isSocketFile(d.socket), 'the killed daemon left its socket file');
    killQuietly(orphan); // a SIGKILLed daemon cannot stop its children

    next = spawnDaemon(['-c', d.configFile]);
    const rows = await waitServing(d.socket, next);
    assert.deepEqual(rows.map((s) => s.name), ['web']);
    assert.equal(d.ctl('pid').stdout.trim(), String(next.proc.pid));
    const web = await waitState(d, 'web', 'RUNNING');
    assert.ok(alive(web.pid!));
  } finally {
    await next?.stop();
    killQuietly(orphan);
    await d.stop();
  }
});
