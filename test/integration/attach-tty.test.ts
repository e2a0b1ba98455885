// A `tty: true` program — an interactive bash on a pseudo-terminal of its
// own — and `taskmasterctl fg` on it as a real terminal session, driven
// through tmux: it is a terminal (test -t), typing works, the window's size
// follows tmux's, Ctrl-C interrupts the command running in it and not fg,
// its output is in its log, and Ctrl-] leaves it running. Needs tmux (make
// test-deps): without it these tests fail, never skip.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Pane, withPane } from './attach-helpers';
import { alive, readText, waitFor } from './harness';
import { program, waitState, withDaemon } from './lifecycle-helpers';

test('tmux is installed (make test-deps)', () => {
  assert.equal(spawnSync('tmux', ['-V']).status, 0, 'tmux is missing: run make test-deps');
});

const TTY_PROMPT = 'in-tty$';
const SHELL = program('term', {
  cmd: 'bash --norc --noprofile -i',
  tty: true,
  stopasgroup: true,
  env: { PS1: `${TTY_PROMPT} `, TERM: 'xterm' },
});

/** Runs `command` in the attached program and waits for a line of its output that passes `want`. */
async function run(p: Pane, command: string, want: RegExp, what: string): Promise<string> {
  p.type(command);
  p.press('Enter');
  const screen = await p.waitScreen((s) => want.test(s), what);
  return want.exec(screen)![0];
}

/** The processes whose parent is `ppid`, with their command lines, from /proc (no ps needed). */
function childrenOf(ppid: number): { pid: number; cmd: string }[] {
  const found: { pid: number; cmd: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    // The parent is the second field after the command's closing parenthesis: "pid (comm) state ppid …".
    const stat = readText(`/proc/${entry}/stat`);
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) !== ppid) continue;
    found.push({ pid: Number(entry), cmd: readText(`/proc/${entry}/cmdline`).split('\0').filter(Boolean).join(' ') });
  }
  return found;
}

test('fg on a tty: true program is a terminal session: typing, window size, Ctrl-C to its foreground, the log, Ctrl-]', () =>
  withDaemon(SHELL, async (d) => {
    const { pid } = await waitState(d, 'term', 'RUNNING');
    assert.ok(pid !== null, 'a RUNNING process has a pid');
    await withPane(100, 30, async (p) => {
      await p.fg(d, 'term');
      assert.match(p.screen(), /\(its terminal\)/);
      await run(p, 'test -t 0 && test -t 1 && echo "on a $(echo ter)minal"', /^on a terminal$/m, 'stdin and stdout are a terminal');

      // Attaching passed the pane's size; a resize of the window is passed on too.
      const first = p.size();
      await run(p, 'stty size', new RegExp(`^${first.rows} ${first.cols}$`, 'm'), `stty size ${first.rows} ${first.cols}`);
      p.tmux('resize-window', '-t', 'fg', '-x', '90', '-y', '20');
      const next = (await waitFor(() => {
        const s = p.size();
        return s.cols === 90 ? s : null;
      }, 'tmux to resize the pane'))!;
      // fg hears of the resize by SIGWINCH, in its own time: ask until the program has the new size.
      const want = new RegExp(`^${next.rows} ${next.cols}$`, 'm');
      await waitFor(async () => {
        p.type('stty size');
        p.press('Enter');
        try {
          await p.waitScreen((s) => want.test(s), 'the new size', 2000);
          return true;
        } catch {
          return false;
        }
      }, `stty size ${next.rows} ${next.cols} in the program`);

      // Ctrl-C reaches the command in the program's foreground, through its terminal.
      p.type('sleep 4321');
      p.press('Enter');
      const sleeper = (await waitFor(() => childrenOf(pid).find((c) => c.cmd === 'sleep 4321'), 'sleep 4321 to run in the program'))!;
      p.press('C-c');
      await waitFor(() => !childrenOf(pid).some((c) => c.pid === sleeper.pid), 'the sleep to be interrupted');
      assert.ok(!p.screen().includes('[detached'), 'fg is still attached');
      await run(p, 'echo "still $((6 * 7))"', /^still 42$/m, 'the program answering after Ctrl-C');

      p.press('C-]');
      await p.waitScreen((s) => s.includes('[detached from term; it runs on]'), 'the detach');
    });
    assert.equal((await waitState(d, 'term', 'RUNNING')).pid, pid);
    // What the terminal showed is the program's output, logged as stdout.
    const log = join(d.logdir, 'term.stdout.log');
    await waitFor(() => readText(log).includes('still 42'), `the session in ${log}`);
    assert.match(readText(log), /on a terminal/);
  }));

// Counts on its terminal: after `detach` the drain reads the master in the daemon's place.
const TICKER = program('ticker', {
  cmd: "/bin/sh -c 'i=0; while :; do i=$((i+1)); echo \"tick $i\"; sleep 0.05; done'",
  tty: true,
});

const lastTick = (text: string): number => Math.max(0, ...[...text.matchAll(/^tick (\d+)\r?$/gm)].map((m) => Number(m[1])));

test('detach of a tty: true program: its terminal goes to the drain, which logs on', () =>
  withDaemon(TICKER, async (d) => {
    const { pid } = await waitState(d, 'ticker', 'RUNNING');
    assert.ok(pid !== null, 'a RUNNING process has a pid');
    const log = join(d.logdir, 'ticker.stdout.log');
    try {
      await waitFor(() => lastTick(readText(log)) >= 2, `ticks in ${log}`);
      const r = d.ctl('detach', 'ticker');
      assert.equal(r.code, 0, r.stderr);
      const atDetach = lastTick(readText(log));
      await waitFor(() => lastTick(readText(log)) >= atDetach + 5, `ticks past ${atDetach} in ${log}, written by the drain`);
      assert.ok(alive(pid), 'the detached program runs on');
    } finally {
      // Out of supervision now: the daemon's stop does not reach it.
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }));

test('tty: true with user: the program runs as that user on its terminal, which it can read, write and resize', () =>
  withDaemon(
    program('asuser', {
      cmd: "/bin/sh -c 'id -un; test -t 0 && test -t 1 && echo on-a-tty; exec 3</dev/tty && echo has-ctty; stty size; exec sleep 600'",
      tty: true,
      user: 'nobody',
      stopasgroup: true,
    }),
    async (d) => {
      await waitState(d, 'asuser', 'RUNNING');
      const log = join(d.logdir, 'asuser.stdout.log');
      await waitFor(() => /^24 80\r?$/m.test(readText(log)), `stty size in ${log}`);
      const lines = readText(log).split(/\r?\n/);
      assert.deepEqual(lines.slice(0, 3), ['nobody', 'on-a-tty', 'has-ctty'], readText(log));
    },
  ));
