// tail and maintail: the last lines of a log, raw, and with -f every later
// piece until the daemon ends the stream or the connection, or Ctrl-C (ctx.interrupt).
// maintail renders the daemon's JSON log lines as text, as the daemon does on stderr.
import { formatLogLine } from '../../protocol/log-lines';
import { OutputStream } from '../../gen/taskmaster/v1/control_pb';
import { EXIT } from '../exit-codes';
import { UsageError } from '../usage-error';
import type { Command, CommandContext, FlagSpec, ParsedArgs } from './types';

const DEFAULT_LINES = 10;
const FLAGS: FlagSpec[] = [
  { flag: '-f', key: 'follow' },
  { flag: '-n', key: 'lines', value: 'int' },
];

/** How log data is shown: a process's output as it is; the daemon's pino lines rendered for people. */
interface Renderer {
  push(data: string): string;
  flush(): string;
}

const RAW = (): Renderer => ({ push: (data) => data, flush: () => '' });

/** A chunk may end mid-line: the unfinished rest waits for the next chunk. */
function daemonLog(): Renderer {
  let rest = '';
  return {
    push(data) {
      const lines = (rest + data).split('\n');
      rest = lines.pop()!;
      return lines.map((line) => formatLogLine(line) + '\n').join('');
    },
    flush() {
      const last = rest;
      rest = '';
      return last === '' ? '' : formatLogLine(last);
    },
  };
}

/**
 * Prints a log stream: the daemon sends the end of the log first, then (with
 * -f) each later piece. Under --json the data goes out untouched, one JSON
 * object per piece: the first as `data`, the later ones as `chunk`.
 */
async function show(items: AsyncIterable<{ data: string }>, render: Renderer, ctx: CommandContext): Promise<number> {
  let first = true;
  for await (const { data } of items) {
    if (ctx.json) ctx.emit({ [first ? 'data' : 'chunk']: data }, '');
    else ctx.out(render.push(data));
    first = false;
  }
  if (!ctx.json) ctx.out(render.flush());
  return EXIT.OK;
}

function options({ flags }: ParsedArgs): { follow: boolean; lines: number } {
  return { follow: flags.follow === true, lines: typeof flags.lines === 'number' ? flags.lines : DEFAULT_LINES };
}

export const tail: Command = {
  name: 'tail',
  usage: 'tail [-f] [-n N] NAME [stdout|stderr]',
  summary: `show the last N (${DEFAULT_LINES}) lines of a process's log; -f follows it`,
  flags: FLAGS,
  positionals: [
    { name: 'NAME', complete: 'process', required: true },
    { name: 'stdout|stderr', complete: 'stream', required: false },
  ],
  async run(args, ctx) {
    const [name, stream = 'stdout'] = args.positionals;
    if (stream !== 'stdout' && stream !== 'stderr') {
      throw new UsageError(`tail: the stream is stdout or stderr, not "${stream}"\nusage: ${tail.usage}`);
    }
    const { follow, lines } = options(args);
    const request = { name: name!, stream: stream === 'stdout' ? OutputStream.STDOUT : OutputStream.STDERR, lines, follow };
    return show((await ctx.caller()).stream('tail', request, follow ? ctx.interrupt.signal() : undefined), RAW(), ctx);
  },
};

export const maintail: Command = {
  name: 'maintail',
  usage: 'maintail [-f] [-n N]',
  summary: `show the last N (${DEFAULT_LINES}) lines of taskmasterd's own log; -f follows it`,
  flags: FLAGS,
  positionals: [],
  async run(args, ctx) {
    const request = options(args);
    return show((await ctx.caller()).stream('maintail', request, request.follow ? ctx.interrupt.signal() : undefined), daemonLog(), ctx);
  },
};
