// taskmasterctl top on a real terminal, driven through tmux: it draws the
// processes sorted by CPU, `m` sorts them by memory, a resized window is
// redrawn to its new width, and `q` gives the shell its screen back. Needs
// tmux (make test-deps): without it these tests fail, never skip.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Daemon, ROOT, TASKMASTERCTL, waitFor } from './harness';
import { program, waitState, withDaemon } from './lifecycle-helpers';

const LOAD = `${process.execPath} ${join(ROOT, 'test/fixtures/stats-load.js')}`;
const PROMPT = 'shell-ready$';
const group = { stopasgroup: true, killasgroup: true };
// busy spins with little memory, big holds memory and idles, small does neither.
const PROGRAMS =
  program('busy', { cmd: LOAD, ...group, env: { LOAD_BURN: '1' } }) +
  program('big', { cmd: LOAD, ...group, env: { LOAD_MB: 96 } }) +
  program('small', {});

test('tmux is installed (make test-deps)', () => {
  assert.equal(spawnSync('tmux', ['-V']).status, 0, 'tmux is missing: run make test-deps');
});

interface Pane {
  tmux: (...args: string[]) => string;
  screen: () => string;
  waitScreen: (check: (screen: string) => boolean, what: string) => Promise<string>;
}

/** A plain shell in a detached tmux window of the given size, on its own tmux server. */
async function withPane(width: number, height: number, body: (p: Pane) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tm-top-'));
  const sock = join(dir, 'tmux.sock');
  const tmux = (...args: string[]) => execFileSync('tmux', ['-S', sock, ...args], { encoding: 'utf8' });
  tmux('new-session', '-d', '-s', 'top', '-x', String(width), '-y', String(height), `env PS1='${PROMPT} ' TERM=xterm bash --norc --noprofile`);
  const screen = () => tmux('capture-pane', '-p', '-t', 'top');
  let last = '';
  const p: Pane = {
    tmux,
    screen,
    waitScreen: async (check, what) => {
      try {
        return (await waitFor(() => ((last = screen()), check(last) ? last : null), what))!;
      } catch (err) {
        throw new Error(`${(err as Error).message}\nthe screen:\n${last}`);
      }
    },
  };
  try {
    await p.waitScreen((s) => s.includes(PROMPT), 'the shell prompt');
    await body(p);
  } finally {
    spawnSync('tmux', ['-S', sock, 'kill-server']);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The process names in the order top shows them (the lines after the headings). */
function order(screen: string): string[] {
  const lines = screen.split('\n');
  const heading = lines.findIndex((l) => /^NAME\s+STATE/.test(l));
  return lines.slice(heading + 1).map((l) => l.split(/\s+/)[0]!).filter((n) => ['busy', 'big', 'small'].includes(n));
}

async function allRunning(d: Daemon): Promise<void> {
  for (const name of ['busy', 'big', 'small']) await waitState(d, name, 'RUNNING');
}

test('top: sorted by CPU, then by memory on m; redrawn to a resized window; q gives the prompt back', () =>
  withDaemon(PROGRAMS, async (d) => {
    await allRunning(d);
    await withPane(120, 20, async (p) => {
      p.tmux('send-keys', '-t', 'top', '-l', `${TASKMASTERCTL} -s ${d.socket} top`);
      p.tmux('send-keys', '-t', 'top', 'Enter');
      // busy spins and the others idle: it comes first once a reading shows them all with stats.
      await p.waitScreen((s) => /^sort: cpu/m.test(s) && order(s).join() === 'busy,big,small' && /^big\s+RUNNING\s+\d/m.test(s), 'the processes in CPU order');
      p.tmux('send-keys', '-t', 'top', 'm');
      // big holds 96 MiB; busy and small hold a node's few MiB or less.
      await p.waitScreen((s) => /^sort: memory/m.test(s) && order(s)[0] === 'big' && order(s).length === 3, 'the processes in memory order');
      const wide = p.screen();
      assert.ok(wide.split('\n').some((l) => l.length > 60), 'the 120-column window shows lines wider than 60');
      p.tmux('resize-window', '-t', 'top', '-x', '60', '-y', '12');
      await p.waitScreen((s) => {
        // capture-pane ends with a newline and drops trailing blanks.
        const lines = s.trimEnd().split('\n');
        return lines.length <= 12 && lines.every((l) => l.length <= 60) && /^NAME\s+STATE/m.test(s) && order(s)[0] === 'big';
      }, 'a redraw in 60 columns');
      p.tmux('send-keys', '-t', 'top', 'q');
      // The alternate screen is gone: the shell's own screen is back, the command line (wrapped in 60
      // columns) and under it a new prompt.
      await p.waitScreen((s) => {
        const lines = s.trimEnd().split('\n');
        return !/^sort:/m.test(s) && lines.at(-1)?.trimEnd() === PROMPT && /tm\.sock top$/.test(lines.at(-2) ?? '');
      }, 'the shell prompt after q');
    });
    // top only watched: the daemon and its programs carry on.
    assert.deepEqual((await d.status()).map((s) => s.state), ['RUNNING', 'RUNNING', 'RUNNING']);
  }));

test('top: Ctrl-C quits as q does', () =>
  withDaemon(program('small', {}), async (d) => {
    await waitState(d, 'small', 'RUNNING');
    await withPane(100, 15, async (p) => {
      p.tmux('send-keys', '-t', 'top', '-l', `${TASKMASTERCTL} -s ${d.socket} top; echo "exit=$?"`);
      p.tmux('send-keys', '-t', 'top', 'Enter');
      await p.waitScreen((s) => /^small\s+RUNNING/m.test(s), 'the process row');
      p.tmux('send-keys', '-t', 'top', 'C-c');
      await p.waitScreen((s) => /^exit=0$/m.test(s), 'top to end with 0');
    });
  }));
