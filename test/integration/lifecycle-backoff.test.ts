// Starts that fail: a child dying before starttime (BACKOFF, then FATAL
// after startretries retries) and spawns that cannot happen at all, each
// reported with its reason instead of crashing the daemon.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { alive, stateOf } from './harness';
import { program, type Settings, settle, spawnCount, waitLog, waitState, withDaemon, withScratch } from './lifecycle-helpers';

test('a child exiting at once with startretries 2 is spawned exactly 3 times, then FATAL with the reason', () =>
  withScratch(async (dir) => {
    const spawns = join(dir, 'spawns');
    const cmd = `/bin/sh -c 'echo $$ >> ${spawns}; exit 1'`;
    await withDaemon(program('quick', { cmd, startretries: 2, starttime: 5 }), async (d) => {
      const s = await waitState(d, 'quick', 'FATAL');
      assert.equal(s.description, 'Exited too quickly (process log may have details)');
      assert.equal(s.pid, null);
      await settle(); // a fourth attempt, if the machine made one, would show up now
      const pids = readFileSync(spawns, 'utf8').trim().split('\n');
      assert.equal(pids.length, 3, `spawned pids: ${pids.join(' ')}`);
      assert.equal(new Set(pids).size, 3);
      assert.equal(spawnCount(d, 'quick'), 3);
      const st = d.ctl('status', 'quick');
      assert.match(st.stdout, /^quick\s+FATAL\s+Exited too quickly/m);
    });
  }));

test('a child dying before starttime goes to BACKOFF and says which retry is next', () =>
  withDaemon(program('quick', { cmd: '/bin/sh -c "exit 1"', startretries: 5, starttime: 5 }), async (d) => {
    const s = await waitState(d, 'quick', 'BACKOFF');
    assert.match(s.description, /^Exited too quickly .*; retry \d of 5$/);
  }));

const failures: [string, Record<string, string>, RegExp][] = [
  ['missing binary', { cmd: '/nonexistent/tm-no-such-binary' }, /\/nonexistent\/tm-no-such-binary: no such file/],
  ['command not in PATH', { cmd: 'tm-no-such-command-anywhere' }, /tm-no-such-command-anywhere: command not found in PATH/],
  ['file not executable', { cmd: '/etc/passwd' }, /\/etc\/passwd: permission denied/],
  ['missing workingdir', { workingdir: '/nonexistent/tm-no-such-dir' }, /workingdir \/nonexistent\/tm-no-such-dir: no such file/],
  ['workingdir that is a file', { workingdir: '/etc/passwd' }, /workingdir \/etc\/passwd: not a directory/],
  ['unknown user', { user: 'tm-no-such-user' }, /no such user "tm-no-such-user"/],
];

for (const [what, settings, reason] of failures) {
  test(`spawn failure (${what}) ends FATAL with the reason in status; the daemon carries on`, () =>
    withDaemon(program('bad', { ...settings, startretries: 0 }) + program('good', {}), async (d) => {
      const s = await waitState(d, 'bad', 'FATAL');
      assert.match(s.description, reason);
      const good = await waitState(d, 'good', 'RUNNING');
      assert.ok(alive(good.pid!));
      assert.equal(d.proc.exitCode, null);
      assert.match(d.ctl('status', 'bad').stdout, /^bad\s+FATAL\s+/m);
    }));
}

// Regression: exec of a script whose #! interpreter is missing fails with
// ENOENT, which read "spawn /path/script ENOENT" (or, with user:, "Exited too
// quickly") although the script exists. A CRLF-saved script is the usual case.
for (const user of [null, 'nobody']) {
  test(`a script whose #! interpreter is missing (CRLF line end${user ? ', user: nobody' : ''}) is FATAL naming the interpreter`, () =>
    withScratch(async (dir) => {
      const script = join(dir, 'crlf.sh');
      writeFileSync(script, '#!/bin/sh\r\necho hi\r\n', { mode: 0o755 });
      const settings: Settings = { cmd: script, startretries: 0 };
      if (user !== null) settings.user = user;
      await withDaemon(program('crlf', settings), async (d) => {
        const s = await waitState(d, 'crlf', 'FATAL');
        assert.equal(s.description, `${script}: bad interpreter "/bin/sh\\r": no such file`);
      });
    }));
}

test('ctl start of a program whose binary is missing exits 1 naming the problem; each attempt counts as a retry', () =>
  withDaemon(program('bad', { cmd: '/nonexistent/tm-no-such-binary', autostart: false, startretries: 1 }), async (d) => {
    const r = d.ctl('start', 'bad');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /bad: ERROR \(\/nonexistent\/tm-no-such-binary: no such file/);
    const s = await waitState(d, 'bad', 'FATAL');
    assert.match(s.description, /no such file/);
    await waitLog(d, 'bad: BACKOFF → FATAL');
    assert.equal(d.output().match(/spawn error: bad:/g)?.length, 2);
    assert.equal((await stateOf(d, 'bad')).state, 'FATAL');
  }));
