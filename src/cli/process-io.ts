// The real CtlIO, for the composition root that turns runCtl into a binary
// (src/cli/entry.ts). Nothing here touches process.stdin, process.stdout or
// node:os until something asks: a one-shot command needs none of them, and
// creating each costs start-up time (process.stdin alone, 2 ms when it is a
// file or /dev/null: it loads fs streams).
import { fdOutput } from './fd-output';
import type { CtlIO } from './io';

export interface ProcessIO extends CtlIO {
  /** Resolves once stdout and stderr have given everything to the OS; process.exit() would drop the rest. */
  flushed(): Promise<void>;
}

function stdoutStream(): NodeJS.WriteStream {
  // `taskmasterctl tail -f x | head`: when the reader goes away, so do we, quietly.
  if (process.stdout.listenerCount('error') === 0) {
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }
  return process.stdout;
}

export function processIO(): ProcessIO {
  const out = fdOutput(1, stdoutStream);
  const err = fdOutput(2, () => process.stderr);
  return {
    stdout: out.write,
    stderr: err.write,
    writeBytes: (fd, data) => (fd === 1 ? out : err).write(data),
    flushed: async () => void (await Promise.all([out.flushed(), err.flushed()])),
    get stdin() {
      return process.stdin;
    },
    get isTTY() {
      return Boolean(process.stdin.isTTY && process.stdout.isTTY);
    },
    env: process.env,
    exitsWhenDone: true,
    get homedir() {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return (require('node:os') as typeof import('node:os')).homedir();
    },
    get terminal() {
      return stdoutStream();
    },
    onInterrupt: (listener) => {
      process.on('SIGINT', listener);
      return () => void process.off('SIGINT', listener);
    },
    onTerminate: (listener) => {
      process.on('SIGTERM', listener).on('SIGHUP', listener);
      return () => void process.off('SIGTERM', listener).off('SIGHUP', listener);
    },
  };
}
