// Ctrl-C as the runner and the commands see it: a request cut short, a
// `tail -f` ended. Not an AbortSignal: the first listener on an EventTarget
// makes Node compile its event_target internals, 0.45 ms of a one-shot
// command's start-up, for what is here a list of one or two callbacks.
export class Interrupt {
  private listeners: (() => void)[] = [];
  private fired = false;

  get aborted(): boolean {
    return this.fired;
  }

  /** Runs every listener once; later calls do nothing. */
  abort(): void {
    if (this.fired) return;
    this.fired = true;
    for (const listener of this.listeners.splice(0)) listener();
  }

  /**
   * The same as an AbortSignal, for what takes one (a followed stream); made
   * on first use only, so a command that does not follow pays nothing.
   */
  signal(): AbortSignal {
    const controller = new AbortController();
    this.onAbort(() => controller.abort());
    return controller.signal;
  }

  /** Calls `listener` on abort, at once if it already happened; returns the unsubscribe. */
  onAbort(listener: () => void): () => void {
    if (this.fired) {
      listener();
      return () => {};
    }
    this.listeners.push(listener);
    return () => void (this.listeners = this.listeners.filter((l) => l !== listener));
  }
}
