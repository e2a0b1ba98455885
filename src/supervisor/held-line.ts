// The start of a log line whose newline has not arrived yet. RotatingFile
// keeps it out of the file so that a rotation cannot fall inside the line;
// the caller bounds it (HOLD_LIMIT), so a program that never prints a newline
// costs at most that much memory per stream.

/** The most bytes of one unfinished line kept back before they are written as they are. */
export const HOLD_LIMIT = 64 * 1024;

// A first allocation big enough for a typical line, so a short tail costs one
// small allocation; doubling after that keeps a run of tiny appends (a
// progress bar writing a few bytes at a time) linear, not quadratic.
const FIRST_CAPACITY = 256;

export class HeldLine {
  private buffer: Buffer | null = null;
  private used = 0;

  get length(): number {
    return this.used;
  }

  /** The held bytes; a view that is valid until the next append or take. */
  view(): Buffer {
    return this.buffer === null ? Buffer.alloc(0) : this.buffer.subarray(0, this.used);
  }

  /** Copies `chunk` (the pipe reader reuses its buffer) after what is held. */
  append(chunk: Buffer): void {
    const needed = this.used + chunk.length;
    if (this.buffer === null || needed > this.buffer.length) {
      const capacity = Math.max(needed, Math.min(HOLD_LIMIT, Math.max(FIRST_CAPACITY, 2 * (this.buffer?.length ?? 0))));
      const grown = Buffer.allocUnsafe(capacity);
      this.buffer?.copy(grown, 0, 0, this.used);
      this.buffer = grown;
    }
    chunk.copy(this.buffer, this.used);
    this.used = needed;
  }

  /**
   * The held bytes followed by `more`, as one buffer, and nothing held after.
   * With nothing held, `more` itself comes back (no copy). The buffer is
   * released rather than kept: an idle stream should not pin up to 64 KiB.
   */
  take(more: Buffer = Buffer.alloc(0)): Buffer {
    if (this.used === 0) return more;
    const joined = Buffer.allocUnsafe(this.used + more.length);
    this.buffer!.copy(joined, 0, 0, this.used);
    more.copy(joined, this.used);
    this.buffer = null;
    this.used = 0;
    return joined;
  }
}
