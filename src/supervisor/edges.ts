// What the supervisor asks of the OS, as three narrow edges: a clock (time
// and the event loop's scheduling), a spawner and a signaller. The daemon
// passes the real ones (os-edges.ts); unit tests pass fakes that record
// every call and move time only when told.
import type { ChildSinks, SpawnOutcome, SpawnSpec } from './spawner';

export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Monotonic milliseconds: what the core's deadlines are measured in. */
  now(): number;
  /** Date.now(): when a state changed, for people reading `status`. */
  wallNow(): number;
  /** Calls `fn` once, `ms` from now. */
  setTimer(fn: () => void, ms: number): Timer;
  /** Calls `fn` on the next turn of the event loop, after pending I/O (setImmediate). */
  nextTurn(fn: () => void): void;
}

export interface Spawner {
  /** Starts a child, or says why it cannot; `sinks` hear its output and its exit. */
  spawn(spec: SpawnSpec, sinks: ChildSinks): SpawnOutcome;
  /** Drops cached account lookups: a reload may follow a change to /etc/passwd. */
  forgetAccounts(): void;
}

/** Why a signal was not delivered: an errno code ('ESRCH': no such process) and its message. */
export interface SignalError {
  code: string;
  message: string;
}

export interface Signaller {
  /** Sends SIG`signal` ('TERM', without SIG) to `pid`, or to its whole process group; null once sent. */
  kill(pid: number, signal: string, group: boolean): SignalError | null;
  /** Whether any process is left in process group `pgid`. */
  groupAlive(pgid: number): boolean;
}
