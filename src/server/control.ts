// What the socket server needs from the daemon: the supervisor plus the few
// daemon-level operations (reload, shutdown, its own log), and the jobs.
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { Identity } from '../authz/identity';
import type { Config } from '../config/types';
import type { ProcessStats, ReloadResponse } from '../gen/taskmaster/v1/control_pb';
import type { Slot } from '../supervisor/slot';
import type { JobCounts } from '../jobs/job-state';
import type { Job, KillRequest, ListRequest, LogsRequest, LogsResponseSchema, PsRequest, RunRequest } from '../gen/taskmaster/v1/jobs_pb';
import type { Supervisor } from '../supervisor/supervisor';
import type { TokenStore } from '../tokens/token-store';
import type { SupervisorLog } from '../supervisor/log';

export interface DaemonControl {
  supervisor: Supervisor;
  config(): Config;
  /** Re-reads the config file and applies it (dryRun: only says what would change); throws TaskmasterError EBADCONFIG, changing nothing. */
  reload(dryRun?: boolean): Promise<ReloadResponse>;
  shutdown(): void;
  shuttingDown(): boolean;
  /** The daemon's own log: its last lines (from the files when there is a logfile) and live lines. */
  mainLog: MainLog;
  log: SupervisorLog;
  version: string;
  /** Monotonic ms, the supervisor's clock. */
  now(): number;
  /** Wall-clock ms, for times people read. */
  wallNow(): number;
  jobs: JobsControl;
  /**
   * The resource use of each of these slots that runs, by slot name, read
   * when asked (status with stats, watch, metrics): nothing is sampled while
   * nobody asks.
   */
  processStats(slots: readonly Slot[]): Promise<ReadonlyMap<string, ProcessStats>>;
  /** The remote API's bearer tokens; null: no remote API configured. */
  tokens: TokenStore | null;
  /**
   * What log links (`taskmasterctl http`) are made with: the key that signs
   * them and the origin they point to (null: the gateway has not said its
   * port yet). Null without a remote API: nothing would serve the download.
   */
  logLinks(): { key: Uint8Array; origin: string | null } | null;
}

/**
 * The job commands, as the handlers call them: each takes the identity it
 * acts for, which decides whose jobs it sees (an admin's: all). Errors are
 * TaskmasterError (ENOJOB, ETOOMANYJOBS, ENOTRUNNING, EBADSIGNAL).
 */
export interface JobsControl {
  run(identity: Identity, request: RunRequest): Job | Promise<Job>;
  ps(identity: Identity, request: PsRequest): Job | Promise<Job>;
  /** Newest first. */
  list(identity: Identity, request: ListRequest): Job[] | Promise<Job[]>;
  kill(identity: Identity, request: KillRequest): Job | Promise<Job>;
  /**
   * The job's output from its first byte; with follow, until it ends and then
   * `ended`. Pulled: it reads on only as fast as the client takes it. `signal`
   * aborts when the client leaves.
   */
  logs(identity: Identity, request: LogsRequest, signal: AbortSignal): AsyncIterable<MessageInitShape<typeof LogsResponseSchema>>;
  /** Every identity's jobs, running and finished (metrics: the handler has checked the read right). */
  counts(): JobCounts;
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
