// The `drain` role: what reads a detached process's output once the daemon
// has let go of it (src/supervisor/output-handover.ts). Its fds 3 and 4 are
// the child's stdout and stderr pipes; each is appended to the file named by
// the matching argument ('' when no pipe waits there). It exits when both
// reach EOF. A write that fails (disk full, file gone) drops those bytes and
// reads on: a reader that stopped would leave the child blocked on a full
// pipe, and one that exited would kill it with SIGPIPE.
import { closeSync, openSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { isatty } from 'node:tty';
import { terminalStream } from './native/terminal-stream';

export type DrainModule = { runDrain(argv: readonly string[]): Promise<number> };

const FIRST_PIPE_FD = 3;

export function runDrain(argv: readonly string[]): Promise<number> {
  const targets = [argv[0] ?? '', argv[1] ?? ''];
  return new Promise((resolve) => {
    let open = 0;
    targets.forEach((path, i) => {
      if (path === '') return;
      open += 1;
      const out = openForAppend(path);
      const fd = FIRST_PIPE_FD + i;
      // A tty: true program's output is its terminal's master, not a pipe.
      const pipe = isatty(fd) ? terminalStream(fd) : new Socket({ fd, readable: true, writable: false });
      pipe.on('data', (chunk: Buffer) => {
        if (out !== null) writeAll(out, chunk);
      });
      pipe.on('error', () => pipe.destroy());
      pipe.once('close', () => {
        if (out !== null) closeSync(out);
        open -= 1;
        if (open === 0) resolve(0);
      });
    });
    if (open === 0) resolve(0);
  });
}

function openForAppend(path: string): number | null {
  try {
    return openSync(path, 'a');
  } catch {
    return null; // nowhere to write: the bytes are read and dropped
  }
}

function writeAll(fd: number, chunk: Buffer): void {
  try {
    for (let done = 0; done < chunk.length; ) done += writeSync(fd, chunk, done);
  } catch {
    // dropped, see above
  }
}
