// What the workloads need from a supervisor: launch it on some programs in a
// temp dir, talk to it through its own socket protocol and its own CLI, and
// shut it down. Each adapter maps the same ProgramSpec to its own config.

/** pm2-tuned: PM2 configured as its docs suggest for many apps (supervisors/pm2.ts). */
export type SupervisorName = 'taskmaster' | 'supervisord' | 'pm2' | 'pm2-tuned';

export interface ProgramSpec {
  name: string;
  argv: string[]; // absolute path first; run without a shell
  numprocs: number;
  /** seconds up before RUNNING (taskmaster starttime, supervisord startsecs, PM2 min_uptime) */
  starttime: number;
  autorestart: boolean;
  /** stdout to this file, rotated at maxbytes (0: never) keeping `backups`; absent: the supervisor's default log */
  stdout?: { file: string; maxbytes: number; backups: number };
}

/** One process as its supervisor reports it; `running` is RUNNING (PM2: online). */
export interface ProcInfo {
  name: string;
  running: boolean;
  stopped: boolean; // in a state that has no process: STOPPED, EXITED, FATAL (PM2: stopped, errored)
  pid: number | null;
}

/** A connection on the daemon's own socket, greeted (taskmaster hello; supervisord getAPIVersion; PM2 getVersion). */
export interface RawClient {
  status(): Promise<ProcInfo[]>;
  /** One process by name, the way its own clients ask (PM2 has no such call: it filters the whole list, as `pm2 describe` does). */
  statusOne(name: string): Promise<ProcInfo>;
  close(): void;
}

export interface Daemon {
  /** The daemon's pid, for /proc accounting; known once it answers on its socket. */
  pid(): Promise<number>;
  connect(): Promise<RawClient>;
  /** The one-shot CLI status command and its environment. */
  statusCli(): { argv: string[]; env: NodeJS.ProcessEnv };
  /** The CLI command that stops every program and returns once they are stopped. */
  stopAllCli(): { argv: string[]; env: NodeJS.ProcessEnv };
  /**
   * Rewrites the config with `programs` and has the daemon apply the
   * difference with its own CLI (taskmasterctl reload, supervisorctl update;
   * PM2, which keeps no config to diff, restarts the app `changed` from the
   * new file); returns when the CLI returns.
   */
  reload(programs: ProgramSpec[], changed: string): Promise<void>;
  /** Stops everything, waits for the daemon to exit, and SIGKILLs whatever is left. */
  shutdown(): Promise<void>;
}

export interface Supervisor {
  name: SupervisorName;
  /** Why it cannot run here, or null. */
  missing(): string | null;
  version(): string;
  /**
   * Writes the config into `dir` and starts the daemon; returns at once, before it is ready.
   * `nofile`: the daemon's RLIMIT_NOFILE (soft and hard), for many programs; absent, the bench's own.
   */
  launch(dir: string, programs: ProgramSpec[], opts?: { nofile?: number }): Daemon;
}
