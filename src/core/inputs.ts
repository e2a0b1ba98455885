// What goes into the state machine (operator commands, OS facts) and what
// comes out of it (effects for the OS layer, transitions for the log).
import type { ProcRecord } from './record';
import type { StateKind } from './states';

/** Operator intents: they change what is wanted; the machine converges.
 *  restart: a stop that keeps want=up, so STOPPED converges to STARTING;
 *  `reason` (a failed health check) names the stop in the transition. */
export type Command = { type: 'start' } | { type: 'stop' } | { type: 'detach' } | { type: 'restart'; reason: string };

/** Facts reported by the OS layer. */
export type Fact =
  | { type: 'spawned'; pid: number }
  | { type: 'spawnFailed'; reason: string }
  | { type: 'exited'; pid: number; code: number | null; signal: string | null; oom?: string }
  | { type: 'tick' }
  // Readiness (`ready:`): the check passed (how: "READY=1", "tcp 8080 accepts"…),
  // or failed for now (reason), for the child `pid`; a late answer about an
  // earlier child is ignored.
  | { type: 'ready'; pid: number; how: string }
  | { type: 'notReady'; pid: number; reason: string }
  // sd_notify WATCHDOG=1 from the child `pid`.
  | { type: 'watchdog'; pid: number };

export type Effect =
  | { type: 'spawn' }
  | { type: 'kill'; pid: number; signal: string; group: boolean }
  | { type: 'wake'; at: number }
  // detach: the edge stops reading the child's output, hands its pipes on,
  // and forgets the child (its exit is no fact for the machine any more).
  | { type: 'release'; pid: number };

export interface Transition {
  from: StateKind;
  to: StateKind;
  reason: string;
}

export type Reply =
  | { ok: true }
  | { ok: false; code: 'ENOTRUNNING' | 'EALREADY'; message: string };

export interface Decision {
  record: ProcRecord;
  effects: Effect[];
  transitions: Transition[];
  reply: Reply;
}

export class IllegalTransition extends Error {
  constructor(from: StateKind, to: StateKind) {
    super(`illegal transition ${from} → ${to}`);
    this.name = 'IllegalTransition';
  }
}
