// The core's readiness decisions (`ready:` and watchdog_sec), apart from the
// rest of the machine: with a readiness check, STARTING ends on a `ready`
// fact or, when ready_timeout runs out first, in a stop that counts as a
// failed start; with a watchdog, a RUNNING program that stops pinging is
// restarted. Pure, like machine.ts: facts in, the Step records the rest.
import type { Fact } from './inputs';
import type { ProcPolicy, ProcRecord } from './record';
import type { ProcState } from './states';

/**
 * What readiness needs of machine.ts's Step: the record being decided and
 * the two moves it makes. Named here so that the machine depends on
 * readiness and not the other way round.
 */
export interface ReadinessStep {
  readonly rec: ProcRecord;
  readonly now: number;
  readonly policy: ProcPolicy;
  running(pid: number, spawnedAt: number, reason: string): void;
  beginStop(pid: number | null, spawnedAt: number, reason: string, failedStart?: string): void;
}

/** The reason of a failed start when the child exited before it was ready. */
export const NOT_READY_EXIT = 'Exited before it was ready (process log may have details)';

type ReadinessFact = Extract<Fact, { type: 'ready' | 'notReady' | 'watchdog' }>;

/** A fact about a child that is not the current one, or in a state where it means nothing, is dropped: the edge's answers can be late. */
export function observeReadiness(s: ReadinessStep, fact: ReadinessFact): void {
  const state = s.rec.state;
  switch (fact.type) {
    case 'ready':
      // STARTING → RUNNING: the program said, or showed, that it is ready.
      if (state.kind === 'STARTING' && state.pid === fact.pid) s.running(fact.pid, state.spawnedAt, `ready: ${fact.how}`);
      return;
    case 'notReady':
      if (state.kind === 'STARTING' && state.pid === fact.pid) s.rec.state = { ...state, notReady: fact.reason };
      return;
    case 'watchdog':
      if (state.kind === 'RUNNING' && state.pid === fact.pid && s.policy.watchdogMs !== null) {
        s.rec.state = { ...state, watchdogAt: s.now + s.policy.watchdogMs };
      }
      return;
  }
}

/** Applies a readiness deadline that is due (STARTING with a check, RUNNING with a watchdog); true when it acted. */
export function settleReadiness(s: ReadinessStep): boolean {
  const state = s.rec.state;
  const { now, policy } = s;
  if (state.kind === 'STARTING' && policy.readyTimeoutMs !== null && state.pid !== null && now >= state.spawnedAt + policy.readyTimeoutMs) {
    // STARTING → STOPPING, then BACKOFF once the child is gone (machine.ts exited).
    const why = `not ready after ${seconds(policy.readyTimeoutMs)}${state.notReady === undefined ? '' : ` (${state.notReady})`}`;
    s.beginStop(state.pid, state.spawnedAt, why, why);
    return true;
  }
  if (state.kind === 'RUNNING' && state.watchdogAt !== undefined && now >= state.watchdogAt) {
    // RUNNING → STOPPING with want still up: once stopped, it starts again.
    s.beginStop(state.pid, state.spawnedAt, `watchdog timeout (no WATCHDOG=1 for ${seconds(policy.watchdogMs ?? 0)})`);
    return true;
  }
  return false;
}

/** When settleReadiness would act next in `state`, or null. */
export function readinessDeadline(state: ProcState, policy: ProcPolicy): number | null {
  if (state.kind === 'STARTING') return state.pid === null || policy.readyTimeoutMs === null ? null : state.spawnedAt + policy.readyTimeoutMs;
  if (state.kind === 'RUNNING') return state.watchdogAt ?? null;
  return null;
}

function seconds(ms: number): string {
  return `${ms / 1000}s`;
}
