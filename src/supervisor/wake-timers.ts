// The one timer each slot holds: the core asks to be woken at its next
// deadline (starttime, retry, stoptime, restartdelay) and gets a `tick` then.
import type { Clock } from './edges';
import type { Slot } from './slot';

export class WakeTimers {
  constructor(
    private readonly clock: Pick<Clock, 'now' | 'setTimer'>,
    private readonly due: (slot: Slot) => void,
  ) {}

  /** Wakes the slot at `at` (monotonic ms), or never (null); an earlier wake is replaced. */
  arm(slot: Slot, at: number | null): void {
    if (at === slot.timerAt) return;
    this.clear(slot);
    if (at === null) return;
    slot.timerAt = at;
    // +1: timers may fire a hair before the monotonic clock reaches `at`.
    slot.timer = this.clock.setTimer(() => {
      slot.timer = null;
      slot.timerAt = null;
      this.due(slot);
    }, Math.max(0, at - this.clock.now()) + 1);
  }

  clear(slot: Slot): void {
    slot.timer?.cancel();
    slot.timer = null;
    slot.timerAt = null;
  }
}
