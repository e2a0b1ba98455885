// A job's output on disk: one file of records, each a stream tag, a length
// and the bytes, in the order the daemon read them from the job's pipes.
// One file rather than one per stream, so that the order between stdout and
// stderr survives; tagged records, so that they stay apart.
//
// Written synchronously from the pipe readers, as the programs' logs are
// (see supervisor/rotating-file.ts): a chunk is in the file before the next
// is read, so readers find bytes in read order and no queue grows when the
// disk is slow. Readers (spool-reader.ts) read the file itself, never a copy
// in memory, up to `size`: only whole records count as written.
import * as fs from 'node:fs';

export const RECORD_STDOUT = 1;
export const RECORD_STDERR = 2;
/** Output past the cap was dropped from here on; the payload says so in words. */
export const RECORD_DROPPED = 3;
/** Tag byte, then the payload's length as a big-endian uint32. */
export const HEADER_BYTES = 5;

// Job output may be anyone's secrets: only the daemon reads the files.
const FILE_MODE = 0o600;

export interface SpoolOptions {
  path: string;
  /** Output bytes kept (stdout and stderr together); past them, one RECORD_DROPPED and nothing more. */
  maxOutputBytes: number;
  /** Called once per failure episode; the chunk that failed is dropped. */
  onError: (err: NodeJS.ErrnoException) => void;
}

export class SpoolWriter {
  readonly path: string;
  private readonly max: number;
  private readonly onError: SpoolOptions['onError'];
  private fd: number | null;
  private committed = 0;
  private kept = 0;
  private dropped = false;
  private failing = false;
  private readonly waiters = new Set<() => void>();

  /** Creates the file; throws (an errno Error) when it cannot, before the job is started. */
  constructor(opts: SpoolOptions) {
    this.path = opts.path;
    this.max = opts.maxOutputBytes;
    this.onError = opts.onError;
    // O_EXCL: ids are unique, so an existing file is someone else's.
    this.fd = fs.openSync(opts.path, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, FILE_MODE);
  }

  /** Bytes of whole records in the file: how far a reader may read. */
  get size(): number {
    return this.committed;
  }

  get sealed(): boolean {
    return this.fd === null;
  }

  /** Whether output past the cap was dropped. */
  get outputDropped(): boolean {
    return this.dropped;
  }

  /** `chunk` is only read during the call. */
  write(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    if (this.fd === null || this.dropped || chunk.length === 0) return;
    const room = this.max - this.kept;
    const fits = chunk.length <= room ? chunk : chunk.subarray(0, room);
    if (fits.length > 0 && this.append(stream === 'stdout' ? RECORD_STDOUT : RECORD_STDERR, fits)) this.kept += fits.length;
    if (fits.length < chunk.length) {
      // The job goes on, and its pipes are still read (a full pipe would stop it): what it writes now is dropped.
      this.dropped = true;
      this.append(RECORD_DROPPED, Buffer.from(`[taskmaster: output dropped after ${this.max} bytes (job_output_max)]\n`));
    }
    this.notify();
  }

  /** No more output will come (the job ended, or is being forgotten): readers finish at `size`. */
  seal(): void {
    if (this.fd === null) return;
    try {
      fs.closeSync(this.fd);
    } catch (err) {
      this.onError(err as NodeJS.ErrnoException);
    }
    this.fd = null;
    this.notify();
  }

  /** Seals, and removes the file; readers that have it open read on to the end. */
  remove(): void {
    this.seal();
    try {
      fs.unlinkSync(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.onError(err as NodeJS.ErrnoException);
    }
  }

  /** Resolves at the next write or seal, or when `signal` aborts; at once if sealed. */
  changed(signal: AbortSignal): Promise<void> {
    if (this.fd === null || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private notify(): void {
    for (const done of [...this.waiters]) done();
  }

  /** One whole record at `committed`, or none: a short or failed write is overwritten by the next. */
  private append(tag: number, payload: Buffer): boolean {
    const header = Buffer.allocUnsafe(HEADER_BYTES);
    header[0] = tag;
    header.writeUInt32BE(payload.length, 1);
    const total = HEADER_BYTES + payload.length;
    try {
      let done = 0;
      // writev at an explicit position (pwritev): after a short write the
      // next record starts at `committed` again, so a torn one is never read.
      while (done < total) {
        const parts = done < HEADER_BYTES ? [header.subarray(done), payload] : [payload.subarray(done - HEADER_BYTES)];
        const n = fs.writevSync(this.fd!, parts, this.committed + done);
        if (n === 0) throw Object.assign(new Error('write returned 0'), { code: 'EIO' });
        done += n;
      }
    } catch (err) {
      if (!this.failing) this.onError(err as NodeJS.ErrnoException);
      this.failing = true;
      return false;
    }
    this.failing = false;
    this.committed += total;
    return true;
  }
}
