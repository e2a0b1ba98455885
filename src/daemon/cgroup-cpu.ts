// CPU percentage from two readings of a cgroup's cpu.stat usage_usec: 100 is
// one CPU busy over the span, as the /proc sampler counts it.
export interface CpuReading {
  usec: number;
  atMs: number; // monotonic
}

export function cpuPercentSince(before: CpuReading, now: CpuReading): number {
  const spanMs = now.atMs - before.atMs;
  if (spanMs <= 0) return 0;
  return Math.max(0, ((now.usec - before.usec) / 1000 / spanMs) * 100);
}
