// How every probe ends: once, with the first of its own verdict, its time
// running out, or its caller's abort; one wording for the time running out.

/** "timed out after 5s", "timed out after 0.5s". */
export function timedOut(timeoutMs: number): string {
  return `timed out after ${timeoutMs / 1000}s`;
}

/**
 * Arms the probe's deadline and its abort, and returns its `finish(verdict)`.
 * Whichever comes first resolves the probe, once; `release` then frees what
 * it holds, told whether the probe was cut short (timed out or aborted), in
 * which case what it started must be stopped.
 */
export function probeEnd(
  timeoutMs: number,
  signal: AbortSignal | undefined,
  resolve: (reason: string | null) => void,
  release: (cutShort: boolean) => void,
): (reason: string | null) => void {
  let done = false;
  const end = (reason: string | null, cutShort: boolean): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    release(cutShort);
    resolve(reason);
  };
  const onAbort = (): void => end('aborted', true);
  const timer = setTimeout(() => end(timedOut(timeoutMs), true), timeoutMs);
  signal?.addEventListener('abort', onAbort, { once: true });
  return (reason) => end(reason, false);
}
