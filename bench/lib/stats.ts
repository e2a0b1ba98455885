// Summaries of repeated measurements: the median, the spread as min..max,
// and how many of the samples it is of (a failed sample is NaN, kept in
// place so that the results still say which run it was).
export interface Summary {
  /** every sample, in run order; NaN (null in the JSON) where one failed */
  runs: number[];
  median: number;
  min: number;
  max: number;
  /** the samples that gave a number: the median is of these */
  n: number;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** null when no run produced a number. */
export function summarize(xs: number[]): Summary | null {
  const ok = xs.filter((x) => Number.isFinite(x));
  if (ok.length === 0) return null;
  return { runs: xs, median: median(ok), min: Math.min(...ok), max: Math.max(...ok), n: ok.length };
}

/**
 * The order the columns run in, run after run: rotated by one each run
 * (A B C, B C A, C A B, …), so that none is always first, after a quiet
 * machine, nor always after the same neighbour.
 */
export function runOrder<T>(columns: readonly T[], run: number): T[] {
  const k = columns.length === 0 ? 0 : run % columns.length;
  return [...columns.slice(k), ...columns.slice(0, k)];
}
