// The one wording of a probe that ran out of time, shared by every probe.

/** "timed out after 5s", "timed out after 0.5s". */
export function timedOut(timeoutMs: number): string {
  return `timed out after ${timeoutMs / 1000}s`;
}
