// The marginal cost of one more program: the slope of a least-squares line
// through (programs, cost) points, over every size measured.

/** Slope of the least-squares line through `points`; NaN with fewer than two distinct x. */
export function slope(points: readonly (readonly [number, number])[]): number {
  const ok = points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const n = ok.length;
  if (n < 2) return NaN;
  const mx = ok.reduce((s, [x]) => s + x, 0) / n;
  const my = ok.reduce((s, [, y]) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of ok) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  return sxx === 0 ? NaN : sxy / sxx;
}
