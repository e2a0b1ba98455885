// killasgroup: the main process is gone, but members of its group that
// ignored the stop signal may remain. They get SIGKILL when stoptime runs
// out, as they would have had the main process lived that long. The core
// knows nothing of them: its record ended with the main process's exit.
import type { Clock, Signaller } from './edges';

export class GroupReaper {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly clock: Pick<Clock, 'setTimer'>,
    private readonly signaller: Pick<Signaller, 'groupAlive'>,
  ) {}

  /** In `delayMs`, calls `kill` if group `pgid` still has members then. */
  reap(pgid: number, delayMs: number, kill: () => void): void {
    this.reapWhile(() => this.signaller.groupAlive(pgid), delayMs, kill);
  }

  /** The same for any set of processes `alive` can tell of (a cgroup's members). */
  reapWhile(alive: () => boolean, delayMs: number, kill: () => void): void {
    if (!alive()) return;
    const done = new Promise<void>((resolve) => {
      this.clock.setTimer(() => {
        if (alive()) kill();
        this.pending.delete(done);
        resolve();
      }, Math.max(0, delayMs));
    });
    this.pending.add(done);
  }

  /** Resolves once every pending group SIGKILL has been sent (for shutdown). */
  async reaped(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}
