// Summaries of repeated measurements: the median, and the spread as min..max.
export interface Summary {
  runs: number[];
  median: number;
  min: number;
  max: number;
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
  return { runs: xs, median: median(ok), min: Math.min(...ok), max: Math.max(...ok) };
}
