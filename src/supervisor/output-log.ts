// One output stream (stdout or stderr) of one process: its log file, if any,
// and the `taskmasterctl tail -f` clients following it live.
//
// `tail -f -n N` is tail(N) followed by follow() in the same tick. Writes are
// synchronous and the daemon is single-threaded, so no chunk can fall between
// the two: it is either in the file (or held back by it, see tail) already or
// delivered to the follower.
import { readLastLines } from './log-tail';
import { RotatingFile, RotatingFileOptions } from './rotating-file';

export type OutputListener = (chunk: Buffer) => void;

export class OutputLog {
  // null: output is discarded (`none`); followers still see it live.
  private readonly file: RotatingFile | null;
  // A wrapper object per subscription, so the same function followed twice
  // is delivered twice and each unsubscribe removes only its own.
  private readonly followers = new Set<{ listener: OutputListener }>();
  private closed = false;

  constructor(opts: RotatingFileOptions | null) {
    this.file = opts === null ? null : new RotatingFile(opts);
  }

  /**
   * Listeners must not throw: they run inside the daemon's pipe reader. The
   * chunk is that reader's buffer, valid only during the call: copy to keep.
   */
  write(chunk: Buffer): void {
    if (this.closed) return;
    this.file?.write(chunk);
    // A snapshot, so a listener that unsubscribes (or subscribes another)
    // while being called does not change who gets this chunk.
    for (const follower of [...this.followers]) follower.listener(chunk);
  }

  /** Returns the unsubscribe function; calling it twice is harmless. */
  follow(listener: OutputListener): () => void {
    if (this.closed) return () => {};
    const follower = { listener };
    this.followers.add(follower);
    return () => {
      this.followers.delete(follower);
    };
  }

  /** The log file's path; null when the output is discarded. */
  get path(): string | null {
    return this.file?.path ?? null;
  }

  /** Last `lines` lines from the file and its backups; '' for discarded output. */
  tail(lines: number): string {
    if (this.file === null) return '';
    // The unfinished line the file holds back is the stream's last line.
    // Followers have had it already, so `tail -f -n N` must show it too, or
    // the start of that line would reach neither its answer nor its follower.
    const held = this.file.heldBack;
    if (held.length === 0) return readLastLines(this.file.path, this.file.backups, lines);
    if (lines <= 0) return '';
    return readLastLines(this.file.path, this.file.backups, lines - 1) + held.toString('utf8');
  }

  /**
   * The live file (not its backups) and the unfinished line it holds back,
   * for a whole-log download; null for discarded output. Read both in one
   * tick: a write between them could move the held line into the file.
   */
  liveFile(): { path: string; heldBack: Buffer } | null {
    return this.file === null ? null : { path: this.file.path, heldBack: this.file.heldBack };
  }

  /** The writer's end of the stream closed: an unfinished line is written as it is. */
  flush(): void {
    this.file?.flush();
  }

  setLimits(maxBytes: number, backups: number): void {
    this.file?.setLimits(maxBytes, backups);
  }

  reopen(): void {
    this.file?.reopen();
  }

  /** The stream is gone (program removed): the file is flushed and closed, followers dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.followers.clear();
    this.file?.close();
  }
}
