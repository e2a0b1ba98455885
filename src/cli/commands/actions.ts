// start, stop, restart, detach and signal: one request naming processes, one line per outcome.
import type { ActionOutcome } from '../../gen/taskmaster/v1/control_pb';
import { EXIT } from '../exit-codes';
import { outcomeView, stateName } from '../views';
import type { Command, CommandContext, PositionalSpec } from './types';

const NAMES: PositionalSpec = { name: 'NAME', complete: 'process-or-all', required: true, repeat: true };

function report(outcomes: ActionOutcome[], done: string, ctx: CommandContext): number {
  const lines = outcomes.map((o) => `${o.name}: ${o.ok ? done : `ERROR (${o.error?.message ?? stateName(o.state)})`}`);
  ctx.emit(outcomes.map(outcomeView), lines.join('\n'));
  return outcomes.every((o) => o.ok) ? EXIT.OK : EXIT.ERROR;
}

function action(cmd: 'start' | 'restart' | 'detach', done: string, summary: string): Command {
  return {
    name: cmd,
    usage: `${cmd} NAME…|all`,
    summary,
    positionals: [NAMES],
    async run({ positionals }, ctx) {
      return report((await (await ctx.caller()).call(cmd, { names: positionals })).outcomes, done, ctx);
    },
  };
}

export const start = action('start', 'started', 'start processes (prog, prog:N, prog:* or all)');
export const stop: Command = {
  name: 'stop',
  usage: 'stop [--with-dependents] NAME…|all',
  summary: 'stop processes (prog, prog:N, prog:* or all); --with-dependents stops what depends on them first',
  positionals: [NAMES],
  flags: [{ long: '--with-dependents', key: 'withDependents' }],
  async run({ positionals, flags }, ctx) {
    const request = { names: positionals, withDependents: flags.withDependents === true };
    return report((await (await ctx.caller()).call('stop', request)).outcomes, 'stopped', ctx);
  },
};
export const restart = action('restart', 'restarted', 'stop, then start processes');
export const detach = action('detach', 'detached', 'let processes run on outside supervision (their output still logged)');

export const signal: Command = {
  name: 'signal',
  usage: 'signal SIG NAME…|all',
  summary: 'send a signal (TERM, HUP, USR1, 9…) to processes',
  positionals: [{ name: 'SIG', complete: 'signal', required: true }, NAMES],
  async run({ positionals: [sig, ...names] }, ctx) {
    return report((await (await ctx.caller()).call('signal', { signal: sig!, names })).outcomes, 'signalled', ctx);
  },
};
