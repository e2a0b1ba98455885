// The interactive shell on a real terminal, driven through tmux: prompt,
// Tab completion, history (in memory and in ~/.taskmasterctl_history), and
// Ctrl-C ending a `tail -f` without ending the shell. Needs tmux. (capture-pane
// drops trailing blanks: the prompt shows as "taskmaster>".)
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Daemon, readText, TASKMASTERCTL, waitFor } from './harness';
import { program, waitState, withDaemon } from './lifecycle-helpers';

// `make test` installs tmux (test-deps); without it these tests fail, never skip.
test('tmux is installed (make test-deps)', () => {
  assert.equal(spawnSync('tmux', ['-V']).status, 0, 'tmux is missing: run make test-deps');
});

interface Terminal {
  home: string;
  /** Types text literally (no key names). */
  type: (text: string) => void;
  /** Presses keys by tmux name: Enter, Tab, Up, C-c, C-d. */
  press: (...keys: string[]) => void;
  screen: () => string;
  /** Waits until the screen matches; returns it. */
  waitScreen: (check: (screen: string) => boolean, what: string) => Promise<string>;
  running: () => boolean;
}

/** taskmasterctl's shell in a detached tmux session on its own tmux server. */
async function withShell(d: Daemon, body: (t: Terminal) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tm-tty-'));
  const tmuxSocket = join(dir, 'tmux.sock');
  const tmux = (...args: string[]) => execFileSync('tmux', ['-S', tmuxSocket, ...args], { encoding: 'utf8' });
  const home = join(dir, 'home');
  execFileSync('mkdir', ['-p', home]);
  tmux('new-session', '-d', '-s', 'tm', '-x', '160', '-y', '50', `env HOME=${home} TERM=xterm ${TASKMASTERCTL} -s ${d.socket}`);
  const screen = () => tmux('capture-pane', '-p', '-t', 'tm');
  const t: Terminal = {
    home,
    type: (text) => void tmux('send-keys', '-t', 'tm', '-l', text),
    press: (...keys) => void tmux('send-keys', '-t', 'tm', ...keys),
    screen,
    waitScreen: async (check, what) => (await waitFor(() => (check(screen()) ? screen() : null), what))!,
    running: () => spawnSync('tmux', ['-S', tmuxSocket, 'has-session', '-t', 'tm']).status === 0,
  };
  try {
    await t.waitScreen((s) => s.includes('taskmaster>'), 'the prompt');
    await body(t);
  } finally {
    spawnSync('tmux', ['-S', tmuxSocket, 'kill-server']);
    rmSync(dir, { recursive: true, force: true });
  }
}

const count = (text: string, re: RegExp): number => text.match(new RegExp(re.source, `${re.flags}g`))?.length ?? 0;

test('on a terminal the shell prompts, runs each command and prompts again', () =>
  withDaemon(program('worker', {}), async (d) => {
    await waitState(d, 'worker', 'RUNNING');
    await withShell(d, async (t) => {
      t.type('status');
      t.press('Enter');
      await t.waitScreen((s) => /^worker\s+RUNNING/m.test(s) && count(s, /taskmaster>/) === 2, 'the table and a new prompt');
      t.type('stop worker');
      t.press('Enter');
      await t.waitScreen((s) => /^worker: stopped$/m.test(s), 'the stop');
      assert.equal((await d.status())[0]!.state, 'STOPPED');
    });
  }));

test('Tab completes command names and process names', () =>
  withDaemon(program('worker', {}), async (d) => {
    const before = await waitState(d, 'worker', 'RUNNING');
    await withShell(d, async (t) => {
      t.type('rest');
      t.press('Tab');
      await t.waitScreen((s) => /taskmaster> restart\s*$/m.test(s), 'restart completed');
      t.type(' wo');
      t.press('Tab');
      await t.waitScreen((s) => /taskmaster> restart\s+worker\s*$/m.test(s), 'worker completed');
      t.press('Enter');
      await t.waitScreen((s) => /^worker: restarted$/m.test(s), 'the restart');
      assert.notEqual((await d.status())[0]!.pid, before.pid);
    });
  }));

test('Up recalls the last command; the history is saved in ~/.taskmasterctl_history on exit', () =>
  withDaemon(program('worker', {}), async (d) => {
    const { pid } = await waitState(d, 'worker', 'RUNNING');
    await withShell(d, async (t) => {
      t.type('pid worker');
      t.press('Enter');
      await t.waitScreen((s) => count(s, new RegExp(`^${pid}$`, 'm')) === 1, 'the pid');
      t.press('Up');
      await t.waitScreen((s) => /taskmaster> pid worker\s*$/m.test(s), 'the recalled line');
      t.press('Enter');
      await t.waitScreen((s) => count(s, new RegExp(`^${pid}$`, 'm')) === 2, 'the pid again');
      t.press('C-d'); // on an empty line: leave the shell
      await waitFor(() => !t.running(), 'the shell to exit');
      assert.match(readText(join(t.home, '.taskmasterctl_history')), /^pid worker$/m);
    });
  }));

test('Ctrl-C ends a tail -f and returns to the prompt; the shell and the daemon carry on', () =>
  withDaemon(program('worker', { env: { CHILD_STDOUT: 'working' } }), async (d) => {
    await waitState(d, 'worker', 'RUNNING');
    await withShell(d, async (t) => {
      t.type('tail -f worker');
      t.press('Enter');
      await t.waitScreen((s) => /^working$/m.test(s), 'the followed output');
      t.press('C-c');
      await t.waitScreen((s) => count(s, /taskmaster>/) === 2, 'a new prompt');
      t.type('status');
      t.press('Enter');
      await t.waitScreen((s) => /^worker\s+RUNNING/m.test(s), 'status after the tail');
      assert.ok(t.running());
    });
  }));
