// Shared pieces of the attach-*.test.ts files: a plain shell in a detached
// tmux window on its own tmux server, where the test types
// `taskmasterctl fg NAME` as a person would, and reads the screen.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Daemon, TASKMASTERCTL, waitFor } from './harness';

export const SHELL_PROMPT = 'shell-ready$';

export interface Pane {
  tmux: (...args: string[]) => string;
  /** Types text literally (no key names). */
  type: (text: string) => void;
  /** Presses keys by tmux name: Enter, C-c, C-]. */
  press: (...keys: string[]) => void;
  screen: () => string;
  /** Waits until the screen passes `check`; returns it. On a timeout the error shows the last screen. */
  waitScreen: (check: (screen: string) => boolean, what: string, limitMs?: number) => Promise<string>;
  /** `fg NAME` typed at the pane's shell, against daemon `d`; resolves once it says it is attached. */
  fg: (d: Daemon, name: string) => Promise<void>;
  /** The pane's rows and columns as tmux has them now. */
  size: () => { rows: number; cols: number };
}

export const count = (text: string, re: RegExp): number => text.match(new RegExp(re.source, `${re.flags}g`))?.length ?? 0;

/** Runs `body` with a bash in a tmux window of `cols` × `rows`; the tmux server is killed whatever happens. */
export async function withPane(cols: number, rows: number, body: (p: Pane) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tm-fg-'));
  const sock = join(dir, 'tmux.sock');
  const tmux = (...args: string[]) => execFileSync('tmux', ['-S', sock, ...args], { encoding: 'utf8' });
  tmux('new-session', '-d', '-s', 'fg', '-x', String(cols), '-y', String(rows), `env PS1='${SHELL_PROMPT} ' TERM=xterm bash --norc --noprofile`);
  const screen = () => tmux('capture-pane', '-p', '-t', 'fg');
  let last = '';
  const p: Pane = {
    tmux,
    type: (text) => void tmux('send-keys', '-t', 'fg', '-l', text),
    press: (...keys) => void tmux('send-keys', '-t', 'fg', ...keys),
    screen,
    waitScreen: async (check, what, limitMs) => {
      try {
        return (await waitFor(() => ((last = screen()), check(last) ? last : null), what, limitMs))!;
      } catch (err) {
        throw new Error(`${(err as Error).message}\nthe screen:\n${last}`);
      }
    },
    fg: async (d, name) => {
      p.type(`${TASKMASTERCTL} -s ${d.socket} fg ${name}`);
      p.press('Enter');
      await p.waitScreen((s) => s.includes(`[attached to ${name}, pid `), `fg attached to ${name}`);
    },
    size: () => {
      const [rows, cols] = tmux('display-message', '-p', '-t', 'fg', '#{pane_height} #{pane_width}').trim().split(' ').map(Number);
      return { rows: rows!, cols: cols! };
    },
  };
  try {
    await p.waitScreen((s) => s.includes(SHELL_PROMPT), 'the shell prompt');
    await body(p);
  } finally {
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
