// taskmasterctl events: what happens in the daemon from now on, live, until
// the daemon ends the stream or Ctrl-C (ctx.interrupt): one line an event,
// for people, or with --json the event itself as the hooks get it.
import { describeEvent, type TaskmasterEvent } from '../../events/event';
import { EXIT } from '../exit-codes';
import type { Command } from './types';

export const events: Command = {
  name: 'events',
  usage: 'events [--json]',
  summary: 'follow state changes, exits and reloads live; --json: one JSON object a line',
  // Also after the command, as `events --json`: the global --json works too.
  flags: [{ long: '--json', key: 'json' }],
  positionals: [],
  async run(args, ctx) {
    const json = ctx.json || args.flags.json === true;
    for await (const { event } of (await ctx.caller()).stream('events', {}, ctx.interrupt.signal())) {
      if (event === undefined) continue;
      // The daemon sends its own events: shown as they come, not checked field by field.
      const e = event as unknown as TaskmasterEvent;
      ctx.out(json ? `${JSON.stringify(e)}\n` : `${e.time} ${describeEvent(e)}\n`);
    }
    return EXIT.OK;
  },
};
