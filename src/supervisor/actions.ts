// start / stop / restart of several processes at once. Programs that
// depends_on ties together go by it: a start brings what a program needs
// along and holds the program until that is RUNNING (dependency-gate.ts); a
// stop waits for every dependent being stopped to be down first. The others
// go in priority order: lower priority starts first and stops last, stops
// in waves, one priority level at a time, each waiting for the previous to
// be down. Both kinds stop side by side.
import { inGraph, readyToStop, stopBlockers, upDependents, withNeeds } from '../core/dependency-order';
import type { Reply, Transition } from '../core/machine';
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
 * started are left out of the answer instead of reported as errors. What
 * the programs need and was not asked for is started too, and answered for
 * only when it was started.
 */
export async function startAll(sup: Supervisor, slots: Slot[], skipAlready: boolean): Promise<ActionOutcome[]> {
  const graph = sup.graph();
  const waits: Promise<ActionOutcome>[] = [];
  const begin = (slot: Slot, reply: Reply, asked: boolean): void => {
    if (reply.ok) waits.push(sup.waitFor(slot, untilRunning));
    else if (asked && !skipAlready) waits.push(Promise.resolve(outcome(slot, { code: reply.code, message: reply.message })));
  };
  // Without depends_on anywhere: the plain start, at no extra cost.
  if (graph.needs.size === 0) {
    for (const slot of byPriority(slots, 'asc')) begin(slot, sup.command(slot, { type: 'start' }), true);
    return Promise.all(waits);
  }
  const asked = new Set(slots);
  // Every instance of what the asked-for programs need, transitively (not the rest of those programs' own instances).
  const direct = new Set(slots.flatMap((s) => graph.needs.get(s.program.name) ?? []));
  const brought = withNeeds(graph, direct).flatMap((p) => sup.slotsOf(p).filter((s) => !asked.has(s)));
  const all = [...slots, ...brought];
  // What needs nothing first, at once, so that what needs it finds it on its way.
  for (const slot of byPriority(all.filter((s) => !graph.needs.has(s.program.name)), 'asc')) {
    begin(slot, sup.command(slot, { type: 'start' }), asked.has(slot));
  }
  const rank = new Map(withNeeds(graph, all.map((s) => s.program.name)).map((p, i) => [p, i]));
  const held = all.filter((s) => graph.needs.has(s.program.name)).sort((a, b) => rank.get(a.program.name)! - rank.get(b.program.name)!);
  for (const slot of held) {
    const answer = sup.gate.start(slot);
    if ('reply' in answer) begin(slot, answer.reply, asked.has(slot));
    else waits.push(answer.held.then((end) => (end === null ? sup.waitFor(slot, untilRunning) : outcome(slot, end))));
  }
  return Promise.all(waits);
}

export async function stopAll(sup: Supervisor, slots: Slot[], skipNotRunning: boolean): Promise<ActionOutcome[]> {
  const graph = sup.graph();
  const ordered: Slot[] = [];
  const free: Slot[] = [];
  const released: ActionOutcome[] = [];
  for (const slot of slots) {
    // A start held back is called off: it never ran, and must not start now.
    if (sup.gate.release(slot, { code: 'ESPAWN', message: 'stopped before it was running' })) released.push(outcome(slot, null));
    else (inGraph(graph, slot.program.name) ? ordered : free).push(slot);
  }
  const [byDeps, byPrio] = await Promise.all([stopByDependencies(sup, ordered, skipNotRunning), stopByPriority(sup, free, skipNotRunning)]);
  return [...released, ...byPrio, ...byDeps];
}

/**
 * The processes of `slots` whose programs depend on what `slots` stop and
 * are up (a process not stopped, exited or FATAL), but are not among them:
 * `stop db` must not pull the ground from under a running `web`.
 */
export function dependentsLeftUp(sup: Supervisor, slots: Slot[]): Slot[] {
  const graph = sup.graph();
  const stopping = new Set(slots);
  const programs = [...new Set(slots.map((s) => s.program.name))];
  const isUp = (p: string) => sup.slotsOf(p).some((s) => !stopping.has(s) && !STOPPED_STATES.has(s.rec.state.kind));
  return upDependents(graph, programs, isUp).flatMap((p) => sup.slotsOf(p).filter((s) => !STOPPED_STATES.has(s.rec.state.kind)));
}

async function stopByPriority(sup: Supervisor, slots: Slot[], skipNotRunning: boolean): Promise<ActionOutcome[]> {
  const results: ActionOutcome[] = [];
  for (const wave of priorityWaves(slots)) results.push(...(await stopNow(sup, wave, skipNotRunning)));
  return results;
}

/** Each program once all that depends on it and is being stopped is down; side by side where the graph allows. */
function stopByDependencies(sup: Supervisor, slots: Slot[], skipNotRunning: boolean): Promise<ActionOutcome[]> {
  const byProgram = new Map<string, Slot[]>();
  for (const slot of slots) byProgram.set(slot.program.name, [...(byProgram.get(slot.program.name) ?? []), slot]);
  const blockers = stopBlockers(sup.graph(), [...byProgram.keys()]);
  const notDown = new Set(byProgram.keys());
  const waiting = new Set(byProgram.keys());
  const results: ActionOutcome[] = [];
  return new Promise((done) => {
    const next = (): void => {
      if (notDown.size === 0) return done(results);
      let ready = readyToStop(blockers, waiting, notDown);
      // Only a cycle could leave nothing to do with nothing under way; the
      // config refuses cycles, but a stop must end whatever the graph.
      if (ready.length === 0 && waiting.size === notDown.size) ready = [...waiting];
      for (const program of ready) {
        waiting.delete(program);
        void stopNow(sup, byProgram.get(program)!, skipNotRunning).then((outcomes) => {
          results.push(...outcomes);
          notDown.delete(program);
          next();
        });
      }
    };
    next();
  });
}

function stopNow(sup: Supervisor, slots: Slot[], skipNotRunning: boolean): Promise<ActionOutcome[]> {
  const waits: Promise<ActionOutcome>[] = [];
  for (const slot of slots) {
    const reply = sup.command(slot, { type: 'stop' });
    if (reply.ok) waits.push(sup.waitFor(slot, untilStopped));
    else if (!skipNotRunning) waits.push(Promise.resolve(outcome(slot, { code: reply.code, message: reply.message })));
  }
  return Promise.all(waits);
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
