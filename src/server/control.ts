// What the socket server needs from the daemon: the supervisor plus the few
// daemon-level operations (reload, shutdown, its own log).
import type { Config } from '../config/types';
import type { LogRing } from '../daemon/log-ring';
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
  mainLog: { last(lines: number): string; follow: LogRing['follow'] };
  log: SupervisorLog;
  version: string;
  now(): number;
}
