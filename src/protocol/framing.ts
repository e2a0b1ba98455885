// Newline-delimited JSON framing. A chunk from the socket may hold part of a
// line, several lines, or both; LineSplitter yields whole lines only and
// refuses a line that grows past its limit before the newline arrives.

export type SplitResult =
  | { kind: 'line'; line: string }
  | { kind: 'overflow'; bytes: number };

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxLineBytes: number) {}

  /** Feed a chunk; returns the complete lines it finished, in order. */
  push(chunk: Buffer): SplitResult[] {
    const out: SplitResult[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) break;
      const piece = chunk.subarray(start, nl);
      const total = this.pendingBytes + piece.length;
      if (total > this.maxLineBytes) {
        out.push({ kind: 'overflow', bytes: total });
      } else {
        const whole = this.pending.length === 0 ? piece : Buffer.concat([...this.pending, piece]);
        out.push({ kind: 'line', line: whole.toString('utf8') });
      }
      this.pending = [];
      this.pendingBytes = 0;
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.pendingBytes += rest.length;
      if (this.pendingBytes > this.maxLineBytes) {
        // No newline yet and already too long: report now rather than buffer without bound.
        out.push({ kind: 'overflow', bytes: this.pendingBytes });
        this.pending = [];
        this.pendingBytes = 0;
      } else {
        this.pending.push(Buffer.from(rest));
      }
    }
    return out;
  }
}

export function encodeLine(message: unknown): string {
  return JSON.stringify(message) + '\n';
}
