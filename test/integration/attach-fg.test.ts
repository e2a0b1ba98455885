// `taskmasterctl fg` on programs without a terminal, driven through tmux as a
// person would: a line typed to a `stdin: pipe` program comes back, Ctrl-]
// leaves it running (same pid), Ctrl-C reaches the process as SIGINT and not
// the client, and the process's end ends the session. Needs tmux
// (make test-deps): without it these tests fail, never skip.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { count, SHELL_PROMPT, withPane } from './attach-helpers';
import { readText, startDaemon, TASKMASTERCTL, waitFor } from './harness';
import { program, waitState, withDaemon } from './lifecycle-helpers';

test('tmux is installed (make test-deps)', () => {
  assert.equal(spawnSync('tmux', ['-V']).status, 0, 'tmux is missing: run make test-deps');
});

// sed -u: a line out for each line in, at once. "echo: " tells its answer
// from fg's own echo of what is typed.
const ECHO = program('echo', { cmd: "/bin/sed -u 's/^/echo: /'", stdin: 'pipe' });
// SIGINT does not end it: it says so. Its stdin is /dev/null: fg shows output only.
const TRAPPER = program('trapper', { cmd: "/bin/sh -c 'trap \"echo got SIGINT\" INT; echo trapper-up; while :; do sleep 0.1; done'", stopasgroup: true });

test('fg on a stdin: pipe program: a typed line comes back; Ctrl-] detaches and it runs on with the same pid', () =>
  withDaemon(ECHO, async (d) => {
    const { pid } = await waitState(d, 'echo', 'RUNNING');
    await withPane(100, 30, async (p) => {
      await p.fg(d, 'echo');
      assert.match(p.screen(), /\[attached to echo, pid \d+ \(its stdin, a line at a time\); Ctrl-\] detaches\]/);
      p.type('hello there');
      p.press('Enter');
      await p.waitScreen((s) => /^echo: hello there$/m.test(s), 'the line sent back');
      p.type('again');
      p.press('Enter');
      await p.waitScreen((s) => /^echo: again$/m.test(s), 'the second line');
      p.press('C-]');
      await p.waitScreen((s) => s.includes('[detached from echo; it runs on]') && count(s, new RegExp(SHELL_PROMPT.replace('$', '\\$'))) === 2, 'the detach and the prompt');
    });
    const after = await waitState(d, 'echo', 'RUNNING');
    assert.equal(after.pid, pid);
    // What went through fg is in the log, as any output.
    assert.match(d.ctl('tail', 'echo').stdout, /^echo: hello there\necho: again$/m);
  }));

test('fg: Ctrl-C is SIGINT to the process, not the end of fg; output-only when stdin is /dev/null', () =>
  withDaemon(TRAPPER, async (d) => {
    const { pid } = await waitState(d, 'trapper', 'RUNNING');
    await withPane(100, 30, async (p) => {
      await p.fg(d, 'trapper');
      assert.match(p.screen(), /\(output only: its stdin is \/dev\/null\)/);
      p.press('C-c');
      await p.waitScreen((s) => /^got SIGINT$/m.test(s), 'the trap firing in the process');
      assert.ok(!p.screen().includes('[detached'), 'fg is still attached');
      // Typed input is refused, said once, and fg stays attached.
      p.type('x');
      p.press('Enter');
      await p.waitScreen((s) => s.includes('[trapper takes no input'), 'the refusal');
      p.press('C-]');
      await p.waitScreen((s) => s.includes('[detached from trapper'), 'the detach');
    });
    assert.equal((await waitState(d, 'trapper', 'RUNNING')).pid, pid);
  }));

test('fg ends when the process does, saying how', () =>
  withDaemon(ECHO, async (d) => {
    await waitState(d, 'echo', 'RUNNING');
    await withPane(100, 30, async (p) => {
      await p.fg(d, 'echo');
      assert.equal(d.ctl('stop', 'echo').code, 0);
      await p.waitScreen((s) => s.includes('[echo ended: terminated by SIGTERM]') && count(s, /shell-ready\$/) === 2, 'the end and the prompt');
    });
  }));

test('fg of a process that is not running is refused', () =>
  withDaemon(program('idle', { autostart: false }), async (d) => {
    const r = d.ctl('fg', 'idle');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /idle is not running/);
  }));

test('fg with its input piped in (no terminal): every line reaches the process, and the end of the input detaches', () =>
  withDaemon(ECHO, async (d) => {
    const { pid } = await waitState(d, 'echo', 'RUNNING');
    const r = spawnSync(TASKMASTERCTL, ['-s', d.socket, 'fg', 'echo'], { input: 'first\nsecond\n', encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /\[attached to echo, pid \d+ \(its stdin, a line at a time\); Ctrl-\] detaches\]/);
    assert.match(r.stderr, /\[detached from echo; it runs on\]/);
    // fg leaves once the lines are delivered; the answers may come after it: the log has them.
    const log = join(d.logdir, 'echo.stdout.log');
    await waitFor(() => /^echo: first\necho: second$/m.test(readText(log)), `both answers in ${log}`);
    assert.equal((await waitState(d, 'echo', 'RUNNING')).pid, pid);
  }));

test('TASKMASTER_SPAWN=node: stdin: pipe works through the fallback, and tty: true is FATAL saying it needs the spawn addon', async () => {
  const env = { ...process.env, TASKMASTER_SPAWN: 'node' };
  const d = await startDaemon(ECHO + program('term', { cmd: '/bin/cat', tty: true, startretries: 0 }), '', undefined, env);
  try {
    assert.match((await waitState(d, 'term', 'FATAL')).description, /a terminal \(tty: true\) needs the spawn addon/);
    await waitState(d, 'echo', 'RUNNING');
    const r = spawnSync(TASKMASTERCTL, ['-s', d.socket, 'fg', 'echo'], { input: 'through node\n', encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const log = join(d.logdir, 'echo.stdout.log');
    await waitFor(() => /^echo: through node$/m.test(readText(log)), `the answer in ${log}`);
  } finally {
    await d.stop();
  }
});

test('fg with a large input piped in: all of it reaches a program that reads it, more than the daemon ever queues', () =>
  withDaemon(program('counter', { cmd: "/bin/sh -c 'head -c 1000000 | wc -c'", stdin: 'pipe' }), async (d) => {
    await waitState(d, 'counter', 'RUNNING');
    const input = 'x'.repeat(1_000_000);
    const r = spawnSync(TASKMASTERCTL, ['-s', d.socket, 'fg', 'counter'], { input, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /not reading its input/);
    const log = join(d.logdir, 'counter.stdout.log');
    await waitFor(() => /^1000000$/m.test(readText(log)), `wc's count in ${log}`);
  }));
