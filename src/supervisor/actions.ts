// start / stop / restart of several processes at once, in priority order:
// lower priority starts first and stops last. Stops go in waves, one
// priority level at a time, each waiting for the previous to be down.
import type { Transition } from '../core/machine';
import { describeExit } from '../core/record';
import { STOPPED_STATES } from '../core/states';
import type { ErrorInfo } from '../protocol/errors';
import type { ActionOutcome } from '../gen/taskmaster/v1/control_pb';
import type { Slot } from './slot';
import type { Supervisor } from './supervisor';
import { outcome } from './waiters';

type Check = (slot: Slot, transitions: readonly Transition[]) => ErrorInfo | null | 'pending';

/** start waits for RUNNING; any failure on the way is reported with its reason, like supervisorctl. */
const untilRunning: Check = (slot, transitions) => {
  for (const t of transitions) {
    if (t.to === 'RUNNING') return null;
    if (t.to === 'BACKOFF' || t.to === 'FATAL' || t.to === 'EXITED') return failure(slot);
  }
  switch (slot.rec.state.kind) {
    case 'RUNNING':
      return null;
    case 'STARTING':
    case 'STOPPING':
      return 'pending';
    case 'STOPPED':
      return slot.rec.want === 'up' ? 'pending' : { code: 'ESPAWN', message: 'stopped before it was running' };
    case 'BACKOFF':
    case 'FATAL':
    case 'EXITED':
      return failure(slot);
  }
};

const untilStopped: Check = (slot, transitions) => {
  if (transitions.some((t) => t.to === 'STOPPED') || STOPPED_STATES.has(slot.rec.state.kind)) return null;
  return 'pending';
};

function failure(slot: Slot): ErrorInfo {
  const exit = slot.rec.lastExit;
  const how = exit === null ? '' : ` (${describeExit(exit)})`;
  return { code: 'ESPAWN', message: `${slot.rec.spawnError ?? 'exited'}${how}` };
}

/**
 * skipAlready: for `start all` and whole programs, processes already
 * started are left out of the answer instead of reported as errors.
 */
export async function startAll(sup: Supervisor, slots: Slot[], skipAlready: boolean): Promise<ActionOutcome[]> {
  const waits: Promise<ActionOutcome>[] = [];
  for (const slot of byPriority(slots, 'asc')) {
    const reply = sup.command(slot, { type: 'start' });
    if (reply.ok) waits.push(sup.waitFor(slot, untilRunning));
    else if (!skipAlready) waits.push(Promise.resolve(outcome(slot, { code: reply.code, message: reply.message })));
  }
  return Promise.all(waits);
}

export async function stopAll(sup: Supervisor, slots: Slot[], skipNotRunning: boolean): Promise<ActionOutcome[]> {
  const results: ActionOutcome[] = [];
  for (const wave of priorityWaves(slots)) {
    const waits: Promise<ActionOutcome>[] = [];
    for (const slot of wave) {
      const reply = sup.command(slot, { type: 'stop' });
      if (reply.ok) waits.push(sup.waitFor(slot, untilStopped));
      else if (!skipNotRunning) waits.push(Promise.resolve(outcome(slot, { code: reply.code, message: reply.message })));
    }
    results.push(...(await Promise.all(waits)));
  }
  return results;
}

export async function restartAll(sup: Supervisor, slots: Slot[]): Promise<ActionOutcome[]> {
  await stopAll(sup, slots, true);
  return startAll(sup, slots, false);
}

function byPriority(slots: Slot[], order: 'asc' | 'desc'): Slot[] {
  const sign = order === 'asc' ? 1 : -1;
  return [...slots].sort((a, b) => sign * (a.program.priority - b.program.priority));
}

/** Groups of equal priority, highest priority number first (stop order). */
function priorityWaves(slots: Slot[]): Slot[][] {
  const waves = new Map<number, Slot[]>();
  for (const slot of byPriority(slots, 'desc')) {
    const wave = waves.get(slot.program.priority) ?? [];
    wave.push(slot);
    waves.set(slot.program.priority, wave);
  }
  return [...waves.values()];
}
