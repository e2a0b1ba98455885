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
//
// Why rotate only where a line starts (as s6-log and svlogd do): a line split
// between FILE.1 and FILE is two fragments to `grep` and `tail -n`, neither of
// them the line. Complete lines are written at once; the unfinished one after
// a chunk's last newline is held back (HeldLine) until its newline comes, so
// it can still go whole into the next file. Only a line that cannot be held
// (longer than maxBytes or HOLD_LIMIT, or unfinished when its stream ends) is
// written as it comes, and may be cut at maxBytes.
import * as fs from 'node:fs';
import { HeldLine, HOLD_LIMIT } from './held-line';

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
const NEWLINE = 0x0a;

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
  private readonly held = new HeldLine();
  // The last byte written is not a newline: a line already begun in the file,
  // which goes on there as it comes (it can no longer move whole).
  private midLine = false;
  // The step under way, for onError when it throws.
  private op: RotatingFileOp = 'open';

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

  /** The unfinished last line, not yet in the file; valid until the next call. */
  get heldBack(): Buffer {
    return this.held.view();
  }

  /** `chunk` is only read during the call; what is held back is copied. */
  write(chunk: Buffer): void {
    if (this.closed || chunk.length === 0) return;
    const lastNewline = chunk.lastIndexOf(NEWLINE);
    const rest = chunk.subarray(lastNewline + 1);
    try {
      let wrote = false;
      if (lastNewline >= 0) {
        this.writeLines(chunk.subarray(0, lastNewline + 1));
        wrote = true;
      }
      if (rest.length > 0 && this.mayHold(rest.length)) {
        this.held.append(rest);
      } else if (rest.length > 0) {
        this.place(this.held.take(rest));
        wrote = true;
      }
      // Holding proves nothing about the disk: an episode ends when bytes land.
      if (wrote) this.failing = false;
    } catch (err) {
      // The rest of the chunk is dropped: blocking or buffering would stall
      // the child on a full pipe, which is worse than a gap in its log.
      this.fail(err, this.op);
    }
  }

  /**
   * The writer's stream ended (EOF on the pipe, the daemon stopping): a held
   * line will get no newline, so it is written as it is.
   */
  flush(): void {
    if (this.closed || this.held.length === 0) return;
    try {
      this.place(this.held.take());
      this.failing = false;
    } catch (err) {
      this.fail(err, this.op);
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

  /**
   * Close and open the same path again, after logrotate moved the file away.
   * A held line stays held: the stream goes on, and the line then lands
   * whole in the new file instead of split across the two.
   */
  reopen(): void {
    if (this.closed) return;
    this.closeFd();
    this.tryOpen();
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.closeFd();
  }

  // Complete lines, with the held start of the first one in front of them.
  private writeLines(lines: Buffer): void {
    if (this.held.length === 0 || lines.length <= HOLD_LIMIT) {
      this.place(this.held.take(lines));
      return;
    }
    // A big read is written in two parts rather than copied whole.
    const firstEnd = lines.indexOf(NEWLINE) + 1;
    this.place(this.held.take(lines.subarray(0, firstEnd)));
    this.place(lines.subarray(firstEnd));
  }

  // Only a line that has not begun in the file can still move whole, and
  // only while there are rotations to move it past. Bounded by maxBytes too:
  // a longer line will be cut whatever happens.
  private mayHold(extra: number): boolean {
    if (this.midLine || this.maxBytes === 0) return false;
    return this.held.length + extra <= Math.min(HOLD_LIMIT, this.maxBytes);
  }

  // Writes `data` where the stream is, rotating after the last newline that
  // fits in the current file. With no newline in reach, the next line starts
  // a new file; it is cut at maxBytes only if it cannot fit even there, or
  // has begun here already. `rotated` keeps a file that someone else refills
  // from spinning this loop: one rotation per step, then write regardless.
  private place(data: Buffer): void {
    let offset = 0;
    let rotated = false;
    while (offset < data.length) {
      if (this.fd === null) {
        this.op = 'open';
        this.open(APPEND_FLAGS);
      }
      const left = data.length - offset;
      // Negative after a lowered maxBytes or on a file that was already bigger.
      const room = this.maxBytes - this.bytes;
      let length = left;
      if (this.maxBytes > 0 && left > room) {
        const window = data.subarray(offset, offset + Math.max(room, 0));
        const lastFit = window.lastIndexOf(NEWLINE);
        if (lastFit >= 0) {
          length = lastFit + 1;
        } else if (room > 0 && (this.midLine || this.bytes === 0 || rotated)) {
          length = room; // the one cut inside a line: at the limit
        } else if (!rotated) {
          this.op = 'rotate';
          this.rotate();
          rotated = true;
          continue; // rotate() may leave fd null; reopened above
        }
        // else a fresh file with no room (refilled under us): write it all rather than spin
      }
      this.op = 'write';
      this.writeAll(data, offset, length);
      offset += length;
      rotated = false;
    }
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
      if (n > 0) this.midLine = chunk[offset + done - 1] !== NEWLINE;
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
