// tail and maintail: the last lines of a log, raw, and with -f every later
// chunk until the daemon ends the connection or Ctrl-C (ctx.interrupt).
// maintail renders the daemon's JSON log lines as text, as the daemon does on stderr.
import { formatLogLine } from '../../protocol/log-lines';
import type { StreamName } from '../../protocol/messages';
import type { RequestBody } from '../client';
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

async function show(
  body: RequestBody & { cmd: 'tail' | 'maintail' },
  render: Renderer,
  ctx: CommandContext,
): Promise<number> {
  const client = await ctx.client();
  // Under --json the data goes out untouched, one JSON object per piece.
  const print = (key: 'data' | 'chunk', data: string) => (ctx.json ? ctx.emit({ [key]: data }, '') : ctx.out(render.push(data)));
  if (!body.follow) {
    print('data', (await client.call(body)).data);
  } else {
    await client.stream(body, { result: (r) => print('data', r.data), chunk: (c) => print('chunk', c) }, ctx.interrupt);
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
  run(args, ctx) {
    const [name, stream = 'stdout'] = args.positionals;
    if (stream !== 'stdout' && stream !== 'stderr') {
      throw new UsageError(`tail: the stream is stdout or stderr, not "${stream}"\nusage: ${tail.usage}`);
    }
    return show({ cmd: 'tail', name: name!, stream: stream as StreamName, ...options(args) }, RAW(), ctx);
  },
};

export const maintail: Command = {
  name: 'maintail',
  usage: 'maintail [-f] [-n N]',
  summary: `show the last N (${DEFAULT_LINES}) lines of taskmasterd's own log; -f follows it`,
  flags: FLAGS,
  positionals: [],
  run(args, ctx) {
    return show({ cmd: 'maintail', ...options(args) }, daemonLog(), ctx);
  },
};
