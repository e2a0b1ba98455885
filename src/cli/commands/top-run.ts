// `top` on a terminal: the alternate screen in raw mode, a redraw on every
// answer of the `watch` stream, on a key and on a resize, and the terminal
// given back as it was however it ends (q, Ctrl-C, SIGTERM, the daemon gone).
// Plain ANSI: the few sequences below are all it needs.
//
// It works on process.stdin and process.stdout directly, not through CtlIO:
// raw mode, the window's size and its resize events belong to the real
// terminal, which CtlIO does not model; its drawing is tested through
// renderTop (top-screen.ts) and the whole under tmux.
import type { ProcessStatus } from '../../gen/taskmaster/v1/control_pb';
import { EXIT } from '../exit-codes';
import { UsageError } from '../usage-error';
import { statusView, timestampMs } from '../views';
import { renderTop, SORT_KEYS, type TopSort } from './top-screen';
import type { CommandContext, ParsedArgs } from './types';

const ENTER_SCREEN = '\x1b[?1049h\x1b[?25l'; // alternate screen, cursor hidden
const LEAVE_SCREEN = '\x1b[?25h\x1b[?1049l';
const HOME = '\x1b[H';
const CLEAR_LINE_END = '\x1b[K';
const CLEAR_SCREEN_END = '\x1b[J';
const CTRL_C = '\x03';
const WATCH_INTERVAL_MS = 1000;

export async function runTop({ positionals }: ParsedArgs, ctx: CommandContext): Promise<number> {
  const caller = await ctx.caller();
  const quit = new AbortController();
  const stopInterrupt = ctx.interrupt.onAbort(() => quit.abort());
  const stopTerminate = ctx.onTerminate?.(() => quit.abort());
  const items = caller.stream('watch', { names: positionals, intervalMs: WATCH_INTERVAL_MS }, quit.signal);
  try {
    if (ctx.json) {
      // For scripts: one JSON line per reading, as --json status shows processes.
      for await (const item of items) ctx.emit({ at: item.at ? new Date(timestampMs(item.at)).toISOString() : null, processes: item.processes.map(statusView) }, '');
      return EXIT.OK;
    }
    return await onTerminal(items, quit);
  } finally {
    stopInterrupt();
    stopTerminate?.();
  }
}

type Reading = { processes: ProcessStatus[]; at?: { seconds: bigint; nanos: number } | undefined };

async function onTerminal(items: AsyncIterable<Reading>, quit: AbortController): Promise<number> {
  const { stdin, stdout } = process;
  if (!stdin.isTTY || !stdout.isTTY) {
    throw new UsageError('top: needs a terminal (stdin and stdout); status -l shows the same once, --json top streams it as JSON lines');
  }
  let sort: TopSort = 'cpu';
  let rows: ProcessStatus[] = [];
  let at: Date | null = null;
  const draw = (): void => {
    const lines = renderTop({ rows, width: stdout.columns || 80, height: stdout.rows || 24, sort, at });
    stdout.write(HOME + lines.join(`${CLEAR_LINE_END}\r\n`) + CLEAR_LINE_END + CLEAR_SCREEN_END);
  };
  const onKey = (data: Buffer): void => {
    for (const ch of data.toString('utf8')) {
      if (ch === 'q' || ch === 'Q' || ch === CTRL_C) quit.abort();
      const chosen = SORT_KEYS[ch.toLowerCase()];
      if (chosen !== undefined) {
        sort = chosen;
        draw();
      }
    }
  };
  stdout.write(ENTER_SCREEN);
  stdin.setRawMode(true);
  stdin.on('data', onKey);
  stdin.resume();
  stdout.on('resize', draw);
  try {
    draw();
    for await (const item of items) {
      rows = item.processes;
      at = item.at ? new Date(timestampMs(item.at)) : new Date();
      draw();
    }
    return EXIT.OK;
  } finally {
    stdout.off('resize', draw);
    stdin.off('data', onKey);
    stdin.setRawMode(false);
    stdin.pause();
    stdout.write(LEAVE_SCREEN);
  }
}
