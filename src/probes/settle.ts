// What the probes share: a result given once (a timeout, an error and an
// abort may all race to give one), and the wording of a timeout.

/** A function that passes on its first value only, after running `cleanup`. */
export function settleOnce(resolve: (reason: string | null) => void, cleanup: () => void): (reason: string | null) => void {
  let done = false;
  return (reason) => {
    if (done) return;
    done = true;
    cleanup();
    resolve(reason);
  };
}

export function timedOut(ms: number): string {
  return `timed out after ${ms / 1000}s`;
}
