// The daemon's readers of one child's stdout and stderr pipes, and their
// release when `detach` hands the pipes to another process. Release is
// synchronous: between it and the daemon closing its copies (the same turn
// of the event loop, after the drain process has inherited them) libuv runs
// no read, so no byte is read by both the daemon and the drain.
import type { Socket } from 'node:net';

/** Where a child's output and exit go. A chunk is valid only during the call: the reader may reuse its buffer. */
export interface ChildSinks {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
  /** EOF (or a read error) on that pipe: its last bytes have been passed on. */
  ended(stream: 'stdout' | 'stderr'): void;
  exit(code: number | null, signal: NodeJS.Signals | null): void;
}

type Stream = 'stdout' | 'stderr';
const STREAMS: readonly Stream[] = ['stdout', 'stderr'];

export type ReleasedPipes = Record<Stream, Socket | null>;

export class OutputReaders {
  // null once that pipe reached EOF (or was never read, under a fallback without sockets).
  private readonly sockets: ReleasedPipes = { stdout: null, stderr: null };
  private released = false;
  /** The sinks the readers call: they go quiet once the pipes are released. */
  readonly sinks: ChildSinks;

  constructor(private readonly given: ChildSinks) {
    this.sinks = {
      stdout: (chunk) => {
        if (!this.released) given.stdout(chunk);
      },
      stderr: (chunk) => {
        if (!this.released) given.stderr(chunk);
      },
      ended: (stream) => {
        this.sockets[stream] = null;
        // A close after the release is the daemon dropping its copy, not the child's EOF.
        if (!this.released) given.ended(stream);
      },
      exit: given.exit,
    };
  }

  read(stream: Stream, socket: Socket): void {
    this.sockets[stream] = socket;
  }

  /**
   * Stops passing output on and returns the pipes still open. What the
   * daemon has read already reaches the sinks first, then `ended` writes out
   * each log's unfinished last line: a line cut by the handover is finished
   * in the log by whoever reads the rest of it.
   */
  release(): ReleasedPipes {
    for (const stream of STREAMS) {
      const socket = this.sockets[stream];
      if (socket === null) continue;
      // With `onread` (the addon's readers) pause stops the handle's reads at once.
      socket.pause();
      // child_process's readers may hold a buffered chunk: read() emits it as 'data', to the sink.
      while (socket.readableLength > 0 && socket.read() !== null);
      this.given.ended(stream);
    }
    this.released = true;
    return { ...this.sockets };
  }

  /** The handover failed: the daemon reads on, as before the release. */
  resume(): void {
    this.released = false;
    for (const stream of STREAMS) this.sockets[stream]?.resume();
  }

  /** The new reader has its copies of the pipes: the daemon closes its own. */
  close(): void {
    for (const stream of STREAMS) this.sockets[stream]?.destroy();
  }
}
