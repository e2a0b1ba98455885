// The per-process states of supervisord, as a closed union: each variant
// carries only the data that exists in that state (no pid in STOPPED).
// Times are milliseconds on the daemon's monotonic clock.

export type ProcState =
  // detachedPid: the child `detach` let go of, still running outside
  // supervision, shown until the next start (STOPPED → STARTING drops it).
  | { kind: 'STOPPED'; detachedPid?: number }
  // pid is null between the spawn request and the OS answering it.
  // notReady: with a readiness check (`ready:`), why the last check failed,
  // for the reason given when ready_timeout runs out.
  | { kind: 'STARTING'; pid: number | null; spawnedAt: number; notReady?: string }
  // watchdogAt: with watchdog_sec, when the program is restarted unless a WATCHDOG=1 comes first.
  | { kind: 'RUNNING'; pid: number; spawnedAt: number; watchdogAt?: number }
  | { kind: 'BACKOFF'; retryAt: number }
  // killed: SIGKILL was already sent after stoptime ran out. failedStart: the
  // stop ends a start that failed (not ready in time); once the child is
  // gone, that is a failed attempt (BACKOFF) with this reason.
  | { kind: 'STOPPING'; pid: number | null; spawnedAt: number; killAt: number; killed: boolean; failedStart?: string }
  // restartAt: when autorestart will spawn it again (restartdelay); null: it stays.
  | { kind: 'EXITED'; restartAt: number | null }
  | { kind: 'FATAL' };

export type StateKind = ProcState['kind'];


/** States in which a start request is already being honoured (supervisord's RUNNING_STATES). */
export const RUNNING_STATES: ReadonlySet<StateKind> = new Set(['STARTING', 'RUNNING', 'BACKOFF']);
/** States with a live child that a signal can reach. */
export const SIGNALLABLE_STATES: ReadonlySet<StateKind> = new Set(['STARTING', 'RUNNING', 'STOPPING']);
/** States with no child and no pending work: a stop or shutdown is complete here. */
export const STOPPED_STATES: ReadonlySet<StateKind> = new Set(['STOPPED', 'EXITED', 'FATAL']);

/** Every transition supervisord makes; anything else is a bug in the machine. */
export const ALLOWED_TRANSITIONS: Readonly<Record<StateKind, readonly StateKind[]>> = {
  STOPPED: ['STARTING'],
  // → STOPPED: detached (the child runs on, no longer ours).
  STARTING: ['RUNNING', 'BACKOFF', 'STOPPING', 'STOPPED'],
  RUNNING: ['STOPPING', 'EXITED', 'STOPPED'],
  BACKOFF: ['STARTING', 'FATAL', 'STOPPED'],
  // → BACKOFF: the child of a start that was not ready in time is gone.
  STOPPING: ['STOPPED', 'BACKOFF'],
  EXITED: ['STARTING'],
  FATAL: ['STARTING'],
};

/** Every state, in supervisord's order: the keys of the table above, which the type makes complete. */
export const ALL_STATES = Object.keys(ALLOWED_TRANSITIONS) as readonly StateKind[];

export function pidOf(state: ProcState): number | null {
  switch (state.kind) {
    case 'STARTING':
    case 'RUNNING':
    case 'STOPPING':
      return state.pid;
    case 'STOPPED':
    case 'BACKOFF':
    case 'EXITED':
    case 'FATAL':
      return null;
    default:
      return unknownState(state);
  }
}

export function unknownState(state: never): never {
  throw new Error(`unknown process state ${JSON.stringify(state)}`);
}
