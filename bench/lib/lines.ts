// The logs workload's content check: the writer (limits/writer.c) numbers
// its 100-byte lines 0..N-1; fed the log files oldest first, this counts the
// lines that are missing, repeated, out of order, split (a line begun at the
// end of one file and finished at the start of the next: two fragments to
// grep), or not a line the writer wrote. Pure: the caller reads the files.

export const LINE_BYTES = 100;
const DIGITS = 10;
const FILLER = Buffer.from(Array.from({ length: LINE_BYTES - DIGITS - 2 }, (_, i) => 97 + (i % 26)));
const NL = 10;

/** Line k exactly as the writer writes it. */
export function writerLine(k: number): string {
  return `${String(k).padStart(DIGITS, '0')} ${FILLER.toString('latin1')}\n`;
}

export interface LineReport {
  expected: number;
  /** distinct lines found whole (a split line that joins up counts as found) */
  found: number;
  lost: number;
  duplicated: number;
  /** a line that came after a higher-numbered one */
  outOfOrder: number;
  /** a line cut across two files, or left unfinished at the end of the last */
  split: number;
  /** a whole line that is not one the writer wrote (garbled, or a number out of range) */
  malformed: number;
}

export class LineChecker {
  private readonly seen: Uint8Array;
  private found = 0;
  private highest = -1;
  private duplicated = 0;
  private outOfOrder = 0;
  private split = 0;
  private malformed = 0;
  /** the unfinished line at the end of what was pushed so far */
  private partial: Buffer = Buffer.alloc(0);
  private partialFromEarlierFile = false;

  constructor(private readonly expected: number) {
    this.seen = new Uint8Array(expected);
  }

  /** The next file starts: an unfinished line now continues across a file boundary. */
  nextFile(): void {
    if (this.partial.length > 0) this.partialFromEarlierFile = true;
  }

  push(chunk: Buffer): void {
    let start = 0;
    if (this.partial.length > 0) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) {
        this.partial = Buffer.concat([this.partial, chunk]);
        return;
      }
      if (this.partialFromEarlierFile) this.split++;
      this.line(Buffer.concat([this.partial, chunk.subarray(0, nl)]));
      this.partial = Buffer.alloc(0);
      this.partialFromEarlierFile = false;
      start = nl + 1;
    }
    for (;;) {
      const nl = chunk.indexOf(NL, start);
      if (nl < 0) break;
      this.line(chunk.subarray(start, nl));
      start = nl + 1;
    }
    if (start < chunk.length) this.partial = Buffer.from(chunk.subarray(start));
  }

  finish(): LineReport {
    if (this.partial.length > 0) this.split++; // the last line never finished
    this.partial = Buffer.alloc(0);
    const { expected, found, duplicated, outOfOrder, split, malformed } = this;
    return { expected, found, lost: expected - found, duplicated, outOfOrder, split, malformed };
  }

  /** One line, without its newline. */
  private line(b: Buffer): void {
    const n = numberOf(b);
    if (n === null || n >= this.expected || b.length !== LINE_BYTES - 1 || b.compare(FILLER, 0, FILLER.length, DIGITS + 1) !== 0) {
      this.malformed++;
      return;
    }
    if (this.seen[n]) {
      this.duplicated++;
      return;
    }
    this.seen[n] = 1;
    this.found++;
    if (n < this.highest) this.outOfOrder++;
    else this.highest = n;
  }
}

function numberOf(b: Buffer): number | null {
  if (b.length < DIGITS + 1 || b[DIGITS] !== 0x20) return null;
  let n = 0;
  for (let i = 0; i < DIGITS; i++) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) return null;
    n = n * 10 + d;
  }
  return n;
}

/**
 * The log files of `base` in the order they were written: the backups
 * oldest first (base.N … base.1, as taskmaster and supervisord number them),
 * then the live file. Other names are not the log's.
 */
export function rotationOrder(names: string[], base: string): string[] {
  const backups = names
    .map((n) => ({ n, k: n.startsWith(`${base}.`) && /^\d+$/.test(n.slice(base.length + 1)) ? Number(n.slice(base.length + 1)) : NaN }))
    .filter((x) => Number.isInteger(x.k))
    .sort((a, b) => b.k - a.k)
    .map((x) => x.n);
  return names.includes(base) ? [...backups, base] : backups;
}

/** A report in a few words, for a failed sample: only what is wrong. */
export function describeDamage(r: LineReport): string {
  const parts = (['lost', 'duplicated', 'outOfOrder', 'split', 'malformed'] as const).filter((k) => r[k] > 0).map((k) => `${r[k]} ${k === 'outOfOrder' ? 'out of order' : k}`);
  return parts.length ? `${parts.join(', ')} of ${r.expected} lines` : `all ${r.expected} lines once, in order`;
}
