// What `fg` types reaches a child through here: its stdin pipe (`stdin:
// pipe`) or its terminal's master side (`tty: true`), both held by the daemon
// and written without blocking. Without either, a child has no ChildInput.
import type { Socket } from 'node:net';

/**
 * Bytes queued for a child and not yet taken, past which more are refused:
 * a program that does not read its input must not grow the daemon's memory.
 */
export const MAX_PENDING_INPUT = 256 * 1024;

export type InputOutcome = 'ok' | 'full' | 'closed';

export interface ChildInput {
  /** true: the child is on a terminal (tty: true); false: its stdin is a pipe. */
  readonly terminal: boolean;
  /**
   * Queues the bytes; 'full' and 'closed' refuse them whole. After 'ok',
   * `taken` is called once the pipe or terminal has taken them (or the
   * stream failed, the child gone): sendInput answers then.
   */
  write(data: Uint8Array, taken: () => void): InputOutcome;
  /** The terminal's window size; nothing for a pipe. */
  resize(rows: number, cols: number): void;
  /** The child is gone: a pipe is closed (its readers left get EOF). A terminal's output is still being read: it ends with it. */
  close(): void;
}

/** `stdin: pipe`: the write end of the child's stdin pipe. */
export function pipeInput(writer: Socket): ChildInput {
  // EPIPE once the child (and whoever shares its stdin) is gone: nothing to tell anyone.
  writer.on('error', () => writer.destroy());
  return {
    terminal: false,
    write: (data, taken) => queue(writer, data, taken),
    resize: () => {},
    close: () => void writer.destroy(),
  };
}

/** `tty: true`: the master, shared with the reader of the program's output. */
export function terminalInput(master: Socket, resize: (rows: number, cols: number) => void): ChildInput {
  return {
    terminal: true,
    write: (data, taken) => queue(master, data, taken),
    resize: (rows, cols) => {
      if (master.destroyed) return;
      try {
        resize(rows, cols);
      } catch {
        // The terminal closed in between: nobody left to tell of a size.
      }
    },
    close: () => {},
  };
}

function queue(stream: Socket, data: Uint8Array, taken: () => void): InputOutcome {
  if (stream.destroyed || !stream.writable) return 'closed';
  if (stream.writableLength + data.length > MAX_PENDING_INPUT) return 'full';
  // Called with an error too when the stream is destroyed first.
  stream.write(data, () => taken());
  return 'ok';
}
