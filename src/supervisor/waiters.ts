// Callers that wait for a process to reach a state (start waits for
// RUNNING, stop for STOPPED): a check run after every decision on the slot.
import type { Transition } from '../core/machine';
import type { ErrorInfo } from '../protocol/errors';
import { create } from '@bufbuild/protobuf';
import { type ActionOutcome, ActionOutcomeSchema } from '../gen/taskmaster/v1/control_pb';
import type { Slot, Waiter } from './slot';
import { PROCESS_STATE } from './status';

/** An outcome once the wait is over, or 'pending' to keep waiting. */
export type WaitCheck = (slot: Slot, transitions: readonly Transition[]) => ErrorInfo | null | 'pending';

/** Resolves when `check` returns an outcome after some decision (or now). */
export function waitFor(slot: Slot, check: WaitCheck): Promise<ActionOutcome> {
  return new Promise((resolve) => {
    const now = check(slot, []);
    if (now !== 'pending') return resolve(outcome(slot, now));
    const waiter: Waiter = (s, transitions) => {
      // removeSlot calls every waiter one last time with the slot marked removed.
      const r = s.removed ? { code: 'ENOPROGRAM' as const, message: 'removed by a reload' } : check(s, transitions);
      if (r === 'pending') return false;
      resolve(outcome(s, r));
      return true;
    };
    slot.waiters.add(waiter);
  });
}

export function outcome(slot: Slot, error: ErrorInfo | null): ActionOutcome {
  return create(ActionOutcomeSchema, { name: slot.name, ok: error === null, state: PROCESS_STATE[slot.rec.state.kind], error: error ?? undefined });
}
