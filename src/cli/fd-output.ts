// taskmasterctl's stdout and stderr, written with write(2) on the file
// descriptor. process.stdout is a stream whose construction (a pipe handle,
// stream state, net's Socket) costs a one-shot command about a millisecond of
// its start-up, and Node writes to pipes, files and terminals synchronously
// anyway. The first write that fails (EAGAIN on a descriptor left
// non-blocking, EPIPE once the reader is gone) hands this output, for good
// and from the first unwritten byte, to the stream: what the stream does
// about it is what taskmasterctl always did, and nothing is written out of order.
import { writeSync } from 'node:fs';

export interface FdOutput {
  write(s: string | Uint8Array): void;
  /** Resolves once everything written is out: at once, unless the stream took over. */
  flushed(): Promise<void>;
}

export function fdOutput(fd: number, stream: () => NodeJS.WriteStream): FdOutput {
  let taken: NodeJS.WriteStream | null = null;
  return {
    write(s) {
      if (taken) return void taken.write(s);
      const bytes = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
      let done = 0;
      try {
        // write(2) may take less than it was given (a signal, a full pipe); the loop writes the rest.
        while (done < bytes.length) done += writeSync(fd, bytes, done);
      } catch {
        taken = stream();
        taken.write(bytes.subarray(done));
      }
    },
    flushed() {
      const s = taken;
      if (!s || s.writableLength === 0) return Promise.resolve();
      // An empty write's callback runs once everything written before it is out.
      return new Promise((resolve) => s.write('', () => resolve()));
    },
  };
}
