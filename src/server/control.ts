// What the socket server needs from the daemon: the supervisor plus the few
// daemon-level operations (reload, shutdown, its own log).
import type { Config } from '../config/types';
import type { ReloadDiff } from '../protocol/messages';
import type { Supervisor } from '../supervisor/supervisor';
import type { SupervisorLog } from '../supervisor/log';

export interface DaemonControl {
  supervisor: Supervisor;
  config(): Config;
  /** Re-reads the config file and applies it; throws TaskmasterError EBADCONFIG, changing nothing. */
  reload(): Promise<ReloadDiff>;
  shutdown(): void;
  shuttingDown(): boolean;
  /** The daemon's own log: its last lines (from the files when there is a logfile) and live lines. */
  mainLog: MainLog;
  log: SupervisorLog;
  version: string;
  now(): number;
}

/**
 * What `maintail` reads. Declared here, where it is used, so the server asks
 * nothing of the daemon's modules: the daemon's LogRing (and its log files)
 * answer it from above.
 */
export interface MainLog {
  /** Its last `lines` lines, as text. */
  last(lines: number): string;
  /** Calls `listener` with each new line; returns the unsubscribe. */
  follow(listener: (line: string) => void): () => void;
}
