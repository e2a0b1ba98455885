// The real CtlIO, for the composition root that turns runCtl into a binary:
//   runCtl(process.argv.slice(2), processIO()).then((code) => { process.exitCode = code; });
import { homedir } from 'node:os';
import type { CtlIO } from './io';

export function processIO(): CtlIO {
  // `taskmasterctl tail -f x | head`: when the reader goes away, so do we, quietly.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  return {
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    // A getter: touching process.stdin creates the stream, which one-shot commands never need.
    get stdin() {
      return process.stdin;
    },
    isTTY: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    env: process.env,
    homedir: homedir(),
    terminal: process.stdout,
    onInterrupt: (listener) => {
      process.on('SIGINT', listener);
      return () => void process.off('SIGINT', listener);
    },
  };
}
