// start, stop, restart and signal: one request naming processes, one line per outcome.
import type { ActionOutcome } from '../../protocol/messages';
import { EXIT } from '../exit-codes';
import type { Command, CommandContext, PositionalSpec } from './types';

const NAMES: PositionalSpec = { name: 'NAME', complete: 'process-or-all', required: true, repeat: true };

function report(outcomes: ActionOutcome[], done: string, ctx: CommandContext): number {
  const lines = outcomes.map((o) => `${o.name}: ${o.ok ? done : `ERROR (${o.error?.message ?? o.state})`}`);
  ctx.emit(outcomes, lines.join('\n'));
  return outcomes.every((o) => o.ok) ? EXIT.OK : EXIT.ERROR;
}

function action(cmd: 'start' | 'stop' | 'restart', done: string, summary: string): Command {
  return {
    name: cmd,
    usage: `${cmd} NAME…|all`,
    summary,
    positionals: [NAMES],
    async run({ positionals }, ctx) {
      return report(await (await ctx.client()).call({ cmd, names: positionals }), done, ctx);
    },
  };
}

export const start = action('start', 'started', 'start processes (prog, prog:N, prog:* or all)');
export const stop = action('stop', 'stopped', 'stop processes (prog, prog:N, prog:* or all)');
export const restart = action('restart', 'restarted', 'stop, then start processes');

export const signal: Command = {
  name: 'signal',
  usage: 'signal SIG NAME…|all',
  summary: 'send a signal (TERM, HUP, USR1, 9…) to processes',
  positionals: [{ name: 'SIG', complete: 'signal', required: true }, NAMES],
  async run({ positionals: [sig, ...names] }, ctx) {
    return report(await (await ctx.client()).call({ cmd: 'signal', signal: sig!, names }), 'signalled', ctx);
  },
};
