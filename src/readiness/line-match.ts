// `ready: {log: REGEX}`: whether a line of one output stream matches. Chunks
// from the pipe split lines anywhere; the start of a line is kept until its
// newline comes, bounded like the logs' held line (a program that prints no
// newline costs at most MAX_LINE bytes), and only while STARTING.

/** The longest line start kept; beyond it the line is tested as it is. */
export const MAX_LINE = 64 * 1024;

export class LineMatcher {
  private held: Buffer | null = null;

  constructor(private readonly pattern: RegExp) {}

  /** True when a line completed by `chunk` matches. The chunk is the reader's buffer: what is kept is copied. */
  feed(chunk: Buffer): boolean {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      if (this.test(chunk.subarray(start, nl))) return true;
      start = nl + 1;
    }
    const rest = chunk.subarray(start);
    if (rest.length === 0) return false;
    const joined = this.held === null ? Buffer.from(rest) : Buffer.concat([this.held, rest]);
    if (joined.length < MAX_LINE) {
      this.held = joined;
      return false;
    }
    this.held = null;
    return this.pattern.test(joined.toString('utf8'));
  }

  /** The stream ended: its unfinished last line is a line too. */
  end(): boolean {
    const last = this.held;
    this.held = null;
    return last !== null && this.pattern.test(last.toString('utf8'));
  }

  private test(lineEnd: Buffer): boolean {
    const held = this.held;
    this.held = null;
    const line = held === null ? lineEnd : Buffer.concat([held, lineEnd]);
    // A CRLF line's \r is not part of what a pattern ending in $ means to match.
    const text = line.toString('utf8');
    return this.pattern.test(text.endsWith('\r') ? text.slice(0, -1) : text);
  }
}
