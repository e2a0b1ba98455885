// taskmasterctl fg: attach to one process — its output live, what is typed
// to its stdin or terminal, Ctrl-] to leave it running. The session
// (fg-run.ts) loads only when it runs.
import { UsageError } from '../usage-error';
import { DETACH_KEY_NAME } from '../attach-keys';
import type { Command } from './types';

export const fg: Command = {
  name: 'fg',
  usage: 'fg NAME',
  summary: `attach to a process: its output live, your input to it (stdin: pipe or tty: true), ${DETACH_KEY_NAME} detaches`,
  positionals: [{ name: 'NAME', complete: 'process', required: true }],
  // Ctrl-C goes to the process; the session ends on Ctrl-], SIGTERM, SIGHUP or the process's end.
  ownsInterrupt: true,
  async run(args, ctx) {
    if (ctx.interactive) {
      // The shell's line editor holds the terminal: both would read the keys.
      throw new UsageError("fg: run it from your own shell (taskmasterctl fg NAME), not from taskmasterctl's");
    }
    if (ctx.json) throw new UsageError('fg: has no --json form; tail -f shows the output, signal sends a signal');
    return (await import('./fg-run')).runFg(args.positionals[0]!, ctx);
  },
};
