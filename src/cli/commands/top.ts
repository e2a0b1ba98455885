// taskmasterctl top: a live view of the processes and their resource use,
// from the `watch` stream. Its work (top-run.ts) loads only when it runs.
import { UsageError } from '../usage-error';
import type { Command } from './types';

export const top: Command = {
  name: 'top',
  usage: 'top [NAME…]',
  summary: 'a live view of the processes with CPU, memory and restarts, every second; keys c m r sort, q quits',
  positionals: [{ name: 'NAME', complete: 'process', required: false, repeat: true }],
  // q and Ctrl-C end it, and it gives the terminal back first.
  ownsInterrupt: true,
  async run(args, ctx) {
    if (ctx.interactive && !ctx.json) {
      // The shell's line editor holds the terminal: both would read the keys.
      throw new UsageError('top: run it from your own shell (taskmasterctl top), not from taskmasterctl\'s');
    }
    return (await import('./top-run')).runTop(args, ctx);
  },
};
