// `ready:` with the real daemon and real programs: each check keeps a program
// STARTING past its starttime until the program is ready, which the test
// decides by creating a file; ready_timeout ends in BACKOFF then FATAL with
// the reason. notify: systemd-notify itself, STATUS= in status, a watchdog
// that restarts, and a sender that is not the program ignored.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Daemon, ROOT, startDaemon, stateOf, waitFor } from './harness';
import { program, raw, type Settings, spawnCount, waitLog, waitState, withDaemon, withScratch } from './lifecycle-helpers';

const SERVER = `${process.execPath} ${join(ROOT, 'test/fixtures/ready-server.js')}`;

/** A port nothing listens on now (the kernel's pick, released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** STARTING for over a second (starttime is 0.2 s), and not ready for `reason`. */
async function waitUnready(d: Daemon, name: string, reason: RegExp): Promise<void> {
  await waitState(d, name, 'STARTING', (s) => (s.uptime_s ?? 0) >= 1 && reason.test(s.description));
}

/** The program is ready once `file` exists: it was not before, and is RUNNING after. */
async function readyOnceCreated(d: Daemon, name: string, file: string, reason: RegExp): Promise<void> {
  await waitUnready(d, name, reason);
  writeFileSync(file, '');
  await waitState(d, name, 'RUNNING');
}

const readyProgram = (name: string, settings: Settings) => program(name, { starttime: 0.2, ...settings });

test('ready: log: RUNNING when a line of output matches, not at starttime', () =>
  withScratch(async (dir) => {
    const go = join(dir, 'go');
    const cmd = `/bin/sh -c 'echo booting; while [ ! -e ${go} ]; do sleep 0.05; done; echo "server listening on 80"; exec sleep 1000'`;
    await withDaemon(readyProgram('web', { cmd, ready: raw('{log: "listening on \\\\d+$"}') }), async (d) => {
      await readyOnceCreated(d, 'web', go, /not ready: no line of output matched \/listening on \\d\+\$\//);
      await waitLog(d, 'ready: a line of output matched');
    });
  }));

test('ready: tcp: RUNNING once the port accepts; connection refused shows while it does not', () =>
  withScratch(async (dir) => {
    const port = await freePort();
    const go = join(dir, 'go');
    await withDaemon(readyProgram('db', { cmd: SERVER, ready: raw(`{tcp: ${port}}`), env: { READY_PORT: port, READY_LISTEN_AFTER: go } }), (d) =>
      readyOnceCreated(d, 'db', go, new RegExp(`not ready: tcp 127\\.0\\.0\\.1:${port}: connection refused`)),
    );
  }));

test('ready: http: RUNNING on a 2xx answer; HTTP 503 shows while it answers that', () =>
  withScratch(async (dir) => {
    const port = await freePort();
    const go = join(dir, 'go');
    const url = `http://127.0.0.1:${port}/health`;
    await withDaemon(readyProgram('api', { cmd: SERVER, ready: raw(`{http: "${url}"}`), env: { READY_PORT: port, READY_OK_AFTER: go } }), (d) =>
      readyOnceCreated(d, 'api', go, /not ready: http .*\/health: HTTP 503/),
    );
  }));

test('ready: exec: RUNNING once the command exits 0, run in the program\'s directory', () =>
  withScratch(async (dir) => {
    await withDaemon(readyProgram('job', { cmd: '/bin/sleep 1000', workingdir: dir, ready: raw('{exec: "test -e go"}') }), (d) =>
      readyOnceCreated(d, 'job', join(dir, 'go'), /not ready: exec "test -e go": exit status 1/),
    );
  }));

test('ready_timeout: each attempt not ready in time is a failed start; after startretries it is FATAL with the reason', async () => {
  const port = await freePort();
  const settings = { cmd: '/bin/sleep 1000', ready: raw(`{tcp: ${port}}`), ready_timeout: 1, startretries: 1 };
  await withDaemon(readyProgram('never', settings), async (d) => {
    const why = `not ready after 1s (tcp 127.0.0.1:${port}: connection refused)`;
    const backoff = await waitState(d, 'never', 'BACKOFF');
    assert.equal(backoff.description, `${why}; retry 1 of 1`);
    const fatal = await waitState(d, 'never', 'FATAL');
    assert.equal(fatal.description, why);
    assert.equal(spawnCount(d, 'never'), 2);
    const start = d.ctl('start', 'never');
    assert.notEqual(start.code, 0);
    assert.match(start.stderr + start.stdout, /not ready after 1s/);
  });
});

const notifyProgram = (name: string, script: string, settings: Settings = {}) =>
  readyProgram(name, { cmd: `/bin/sh -c '${script}'`, ready: 'notify', ...settings });

test('ready: notify with systemd-notify: STATUS= shows while STARTING, READY=1 makes it RUNNING', () =>
  withScratch(async (dir) => {
    const go = join(dir, 'go');
    const script = `systemd-notify --status="warming up"; while [ ! -e ${go} ]; do sleep 0.05; done; systemd-notify --ready --status="serving 3 clients"; exec sleep 1000`;
    await withDaemon(notifyProgram('svc', script), async (d) => {
      await waitUnready(d, 'svc', /not ready: no READY=1\); warming up$/);
      writeFileSync(go, '');
      const s = await waitState(d, 'svc', 'RUNNING', (p) => p.notify_status === 'serving 3 clients');
      assert.match(s.description, /^pid \d+, uptime \S+; serving 3 clients$/);
      assert.match(d.ctl('status', 'svc').stdout, /^svc\s+RUNNING\s+pid \d+, uptime \S+; serving 3 clients$/m);
    });
  }));

test('ready: notify as user nobody: systemd-notify cannot claim its parent\'s pid, so the kernel names it, a process of the program\'s group', () =>
  withScratch(async (dir) => {
    const script = 'systemd-notify --ready --status=up; exec sleep 1000';
    const d = await startDaemon(notifyProgram('low', script, { user: 'nobody' }), '', dir);
    try {
      const s = await waitState(d, 'low', 'RUNNING', (p) => p.notify_status === 'up');
      assert.match(d.output(), /low: STARTING → RUNNING \(ready: READY=1\)/);
      assert.ok(s.pid !== undefined);
      assert.doesNotMatch(d.output(), /notify socket: ignored a message/);
    } finally {
      await d.stop();
    }
  }));

test('watchdog_sec: a program that stops sending WATCHDOG=1 is restarted', () =>
  withDaemon(
    notifyProgram('dog', 'systemd-notify --ready; for i in 1 2 3; do systemd-notify WATCHDOG=1; sleep 0.2; done; exec sleep 1000', { watchdog_sec: 1 }),
    async (d) => {
      await waitLog(d, 'watchdog timeout (no WATCHDOG=1 for 1s)');
      await waitFor(() => spawnCount(d, 'dog') >= 2, 'a second spawn of dog');
      await waitState(d, 'dog', 'RUNNING');
    },
  ));

test('a process that is not the program cannot make it ready: its READY=1 is ignored and logged', () =>
  withScratch(async (dir) => {
    // Another program handed the notify socket by hand sends READY=1 for itself.
    const socket = join(dir, 'programs-notify.sock');
    const programs =
      notifyProgram('quiet', 'exec sleep 1000') +
      readyProgram('liar', { cmd: `/bin/sh -c 'systemd-notify --ready; exec sleep 1000'`, env: { NOTIFY_SOCKET: socket } });
    const d = await startDaemon(programs, '', dir);
    try {
      await waitLog(d, 'notify socket: ignored a message from pid');
      const quiet = await stateOf(d, 'quiet');
      assert.equal(quiet.state, 'STARTING');
      assert.match(quiet.description, /not ready: no READY=1/);
    } finally {
      await d.stop();
    }
  }));

// A daemon from Debian that speaks sd_notify itself (gunicorn's arbiter sends
// READY=1 and STATUS= when NOTIFY_SOCKET is set), run unchanged.
const GUNICORN = '/usr/bin/gunicorn';

test('a real Type=notify daemon from Debian, unchanged: gunicorn is RUNNING on its own READY=1', () =>
  withScratch(async (dir) => {
    assert.ok(existsSync(GUNICORN), `${GUNICORN} is missing: make test-deps installs Debian's gunicorn; this test cannot run without it`);
    writeFileSync(join(dir, 'app.py'), 'def app(environ, start_response):\n    start_response("200 OK", [])\n    return [b"ok"]\n');
    const port = await freePort();
    const cmd = `${GUNICORN} --bind 127.0.0.1:${port} --workers 1 app:app`;
    await withDaemon(readyProgram('gunicorn', { cmd, workingdir: dir, ready: 'notify', stopasgroup: true }), async (d) => {
      const s = await waitState(d, 'gunicorn', 'RUNNING');
      assert.match(d.output(), /gunicorn: STARTING → RUNNING \(ready: READY=1\)/);
      assert.equal(typeof s.notify_status, 'string', 'gunicorn says STATUS= with READY=1');
    });
  }));
