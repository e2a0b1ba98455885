// The last lines of a rotated log, for `taskmasterctl tail -n N`.
//
// The stream is the concatenation path.backups + … + path.1 + path (rotation
// may split a line between two files), read backwards in blocks from the end
// of path so that a 1 GB log costs about as much as the answer. Reads are
// synchronous: they are bounded by maxBytes plus one block, and a synchronous
// read cannot interleave with a write to the same file.
import * as fs from 'node:fs';

const BLOCK_SIZE = 64 * 1024;
const DEFAULT_MAX_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

/**
 * A final line without a trailing newline counts as a line. Missing files are
 * empty; other read errors (EACCES, EISDIR) are thrown to the caller.
 */
export function readLastLines(path: string, backups: number, lines: number, maxBytes = DEFAULT_MAX_BYTES): string {
  const files = Array.from({ length: backups + 1 }, (_, k) => (k === 0 ? path : `${path}.${k}`));
  return readLastLinesOf(files, lines, maxBytes);
}

/** The same over any list of files forming one stream, newest file first. */
export function readLastLinesOf(newestFirst: readonly string[], lines: number, maxBytes = DEFAULT_MAX_BYTES): string {
  if (lines <= 0 || maxBytes <= 0) return '';
  const scan = new BackwardScan(lines, maxBytes);
  for (const file of newestFirst) {
    if (scan.done) break;
    scanFile(file, scan);
  }
  return scan.result();
}

function scanFile(file: string, scan: BackwardScan): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    let position = fs.fstatSync(fd).size;
    while (position > 0 && !scan.done) {
      const length = Math.min(BLOCK_SIZE, position);
      position -= length;
      // A fresh buffer per block: the scan keeps slices of it.
      const block = Buffer.allocUnsafe(length);
      scan.take(block.subarray(0, readFully(fd, block, position)));
    }
  } finally {
    fs.closeSync(fd);
  }
}

function readFully(fd: number, into: Buffer, position: number): number {
  let got = 0;
  while (got < into.length) {
    const n = fs.readSync(fd, into, got, into.length - got, position + got);
    if (n === 0) break; // truncated under us; use what was there
    got += n;
  }
  return got;
}

// Accumulates blocks from the end of the stream towards its start until it has
// seen `lines` line breaks before the last line, or maxBytes bytes.
class BackwardScan {
  done = false;
  private readonly parts: Buffer[] = []; // newest first
  private total = 0;
  private newlines = 0;
  private atStreamEnd = true;
  private cutByCap = false;

  constructor(
    private readonly lines: number,
    private readonly maxBytes: number,
  ) {}

  take(block: Buffer): void {
    if (block.length === 0) return;
    const lowest = Math.max(0, block.length - (this.maxBytes - this.total));
    for (let i = block.length - 1; i >= lowest; i--) {
      // The stream's last byte, if a newline, ends the last line; it does not
      // start a new one.
      const isStreamEnd = this.atStreamEnd;
      this.atStreamEnd = false;
      if (block[i] !== NEWLINE || isStreamEnd) continue;
      if (++this.newlines === this.lines) {
        this.keep(block.subarray(i + 1));
        this.done = true;
        return;
      }
    }
    this.keep(block.subarray(lowest));
    if (this.total >= this.maxBytes) {
      this.cutByCap = true;
      this.done = true;
    }
  }

  result(): string {
    let bytes = Buffer.concat(this.parts.reverse());
    // A cut by size may land inside a UTF-8 sequence; drop its continuation
    // bytes rather than start the answer with a replacement character.
    if (this.cutByCap) {
      let start = 0;
      while (start < bytes.length && start < 3 && (bytes[start] & 0xc0) === 0x80) start++;
      bytes = bytes.subarray(start);
    }
    return bytes.toString('utf8');
  }

  private keep(part: Buffer): void {
    this.parts.push(part);
    this.total += part.length;
  }
}
