// An append-only log file with supervisord-style size rotation, written
// synchronously from the daemon's pipe readers.
//
// Why synchronous: a chunk is on disk before the next one is read, so the
// order of bytes is the order of reads, `tail` after a write sees it, and no
// queue can grow without bound when the disk is slow. Writes to a regular file
// do not block on the other end the way pipes and sockets do.
//
// Why rename-then-create: `tail -F FILE` follows the name, so after a rotation
// it picks up the new FILE, and FILE.1 is the complete previous segment.
import * as fs from 'node:fs';

/** What was being done when an I/O error happened, for the daemon's log line. */
export type RotatingFileOp = 'open' | 'write' | 'rotate' | 'close';

export interface RotatingFileOptions {
  path: string;
  /** 0: never rotate. */
  maxBytes: number;
  /** 0: truncate the file in place of keeping backups. */
  backups: number;
  /** Called once per failure episode; the failed chunk has been dropped. */
  onError: (err: NodeJS.ErrnoException, op: RotatingFileOp) => void;
}

const APPEND_FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_APPEND;
// The daemon's umask narrows this, as it would for any file the daemon creates.
const FILE_MODE = 0o666;

export class RotatingFile {
  readonly path: string;
  private maxBytes: number;
  private keep: number;
  private readonly onError: RotatingFileOptions['onError'];
  private fd: number | null = null;
  private bytes = 0;
  // True from a reported failure until the next successful write, so that a
  // full disk produces one log line, not one per chunk.
  private failing = false;
  private closed = false;

  // Opens at once so a bad path is reported when the process starts, and so
  // `tail -f FILE` works before the program has printed anything. A failure
  // here is reported through onError and retried on the next write.
  constructor(opts: RotatingFileOptions) {
    checkLimits(opts.maxBytes, opts.backups);
    this.path = opts.path;
    this.maxBytes = opts.maxBytes;
    this.keep = opts.backups;
    this.onError = opts.onError;
    this.tryOpen();
  }

  /** Size of the current file as this writer knows it. */
  get size(): number {
    return this.bytes;
  }

  get backups(): number {
    return this.keep;
  }

  write(chunk: Buffer): void {
    if (this.closed || chunk.length === 0) return;
    let op: RotatingFileOp = 'open';
    try {
      let offset = 0;
      while (offset < chunk.length) {
        if (this.fd === null) {
          op = 'open';
          this.open(APPEND_FLAGS);
        }
        if (this.maxBytes > 0 && this.bytes >= this.maxBytes) {
          op = 'rotate';
          this.rotate();
          continue; // rotate() leaves fd null; reopen above
        }
        // Fill the current file up to maxBytes exactly and carry the rest into
        // the next one, so no file exceeds the limit and bytes stay in order.
        const room = this.maxBytes > 0 ? this.maxBytes - this.bytes : chunk.length - offset;
        const length = Math.min(room, chunk.length - offset);
        op = 'write';
        this.writeAll(chunk, offset, length);
        offset += length;
      }
      this.failing = false;
    } catch (err) {
      // The rest of the chunk is dropped: blocking or buffering would stall
      // the child on a full pipe, which is worse than a gap in its log.
      this.fail(err, op);
    }
  }

  /** Config reload in place; a smaller maxBytes takes effect at the next write. */
  setLimits(maxBytes: number, backups: number): void {
    checkLimits(maxBytes, backups);
    // Backups beyond a lowered count are left on disk: deleting files on a
    // reload would surprise, and they are never rotated into again.
    this.maxBytes = maxBytes;
    this.keep = backups;
  }

  /** Close and open the same path again, after logrotate moved the file away. */
  reopen(): void {
    if (this.closed) return;
    this.closeFd();
    this.tryOpen();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.closeFd();
  }

  private tryOpen(): void {
    try {
      this.open(APPEND_FLAGS);
    } catch (err) {
      this.fail(err, 'open');
    }
  }

  private open(flags: number): void {
    const fd = fs.openSync(this.path, flags, FILE_MODE);
    try {
      this.bytes = fs.fstatSync(fd).size;
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
    this.fd = fd;
  }

  // path.N is deleted, path.k → path.k+1 from high to low, path → path.1, and
  // a new path is opened by the caller. The fd is closed first so any failure
  // leaves fd null and the next write starts over; missing backups are gaps,
  // not errors, so a half-done rotation converges on the retry.
  private rotate(): void {
    this.closeFd();
    if (this.keep === 0) {
      this.open(APPEND_FLAGS | fs.constants.O_TRUNC);
      return;
    }
    ignoreMissing(() => fs.unlinkSync(`${this.path}.${this.keep}`));
    for (let k = this.keep - 1; k >= 1; k--) {
      const from = `${this.path}.${k}`;
      ignoreMissing(() => fs.renameSync(from, `${this.path}.${k + 1}`));
    }
    ignoreMissing(() => fs.renameSync(this.path, `${this.path}.1`));
  }

  private writeAll(chunk: Buffer, offset: number, length: number): void {
    const fd = this.fd;
    if (fd === null) throw new Error('RotatingFile.writeAll without an open file');
    let done = 0;
    while (done < length) {
      const n = fs.writeSync(fd, chunk, offset + done, length - done);
      done += n;
      // Counted as we go: after a short write and then an error, size still
      // matches what is on disk.
      this.bytes += n;
    }
  }

  private closeFd(): void {
    const fd = this.fd;
    if (fd === null) return;
    this.fd = null;
    try {
      fs.closeSync(fd);
    } catch (err) {
      // EIO on close (NFS) can mean lost data; the fd is released regardless.
      this.fail(err, 'close');
    }
  }

  private fail(err: unknown, op: RotatingFileOp): void {
    if (!isErrno(err)) throw err; // a bug, not an I/O failure
    if (this.failing) return;
    this.failing = true;
    this.onError(err, op);
  }
}

function checkLimits(maxBytes: number, backups: number): void {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new RangeError(`maxBytes must be a non-negative integer, got ${maxBytes}`);
  }
  if (!Number.isSafeInteger(backups) || backups < 0) {
    throw new RangeError(`backups must be a non-negative integer, got ${backups}`);
  }
}

function ignoreMissing(action: () => void): void {
  try {
    action();
  } catch (err) {
    if (!(isErrno(err) && err.code === 'ENOENT')) throw err;
  }
}

function isErrno(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string';
}
