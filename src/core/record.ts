// What the core knows about one process besides its state: the operator's
// wish (want), the retry count, and how the last run ended.
import type { ProcState } from './states';

export interface ExitInfo {
  code: number | null; // null when killed by a signal
  signal: string | null; // 'SIGKILL' etc.
  /** In the cgroup mode, when the OOM killer took a process of the run: "killed by the OOM killer (memory_max 512M)". */
  oom?: string;
  expected: boolean;
  at: number; // monotonic ms
}

/** How a run ended, in the words of supervisorctl: `exit status 3` or
 *  `terminated by SIGKILL`. The one wording for transitions, status and errors. */
export function describeExit(exit: Pick<ExitInfo, 'code' | 'signal' | 'oom'>): string {
  const how = exit.signal !== null ? `terminated by ${exit.signal}` : `exit status ${exit.code}`;
  return exit.oom === undefined ? how : `${exit.oom}, ${how}`;
}

export interface ProcRecord {
  state: ProcState;
  want: 'up' | 'down'; // desired state, apart from the observed one
  backoff: number; // failed starts in a row (supervisord's `backoff`)
  restarts: number; // autorestarts in a row after short runs (restartdelay growth)
  lastExit: ExitInfo | null;
  spawnError: string | null; // why the last start failed; shown in BACKOFF and FATAL
  changedAt: number; // monotonic ms of the last state change
}

/** The parts of a program's config that the state machine obeys. */
export interface ProcPolicy {
  autorestart: 'always' | 'never' | 'unexpected';
  exitcodes: readonly number[];
  startretries: number;
  starttimeMs: number;
  stopsignal: string; // without SIG
  stoptimeMs: number;
  restartdelayMs: number; // pause before an autorestart
  restartdelayMaxMs: number; // cap of its doubling over a crash streak
  stopasgroup: boolean;
  killasgroup: boolean;
  /** With a readiness check (`ready:`), how long STARTING may wait for it; null: starttime decides. */
  readyTimeoutMs: number | null;
  /** watchdog_sec: the longest a RUNNING program may go without a WATCHDOG=1; null: no watchdog. */
  watchdogMs: number | null;
}

export function newRecord(now: number, want: 'up' | 'down'): ProcRecord {
  return { state: { kind: 'STOPPED' }, want, backoff: 0, restarts: 0, lastExit: null, spawnError: null, changedAt: now };
}
