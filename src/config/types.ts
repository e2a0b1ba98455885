// The validated, typed configuration: what the rest of taskmaster sees.
// Raw YAML never leaves src/config.

export type AutoRestart = 'always' | 'never' | 'unexpected'; // YAML: true | false | unexpected

export interface DaemonSettings {
  socket: string; // absolute path
  socket_mode: number; // e.g. 0o700
  logfile: string | null; // null: human-readable lines on stderr
  logfile_maxbytes: number;
  logfile_backups: number;
  logfile_frequency: 'daily' | 'hourly' | null; // time-based rotation, besides size
  childlogdir: string; // absolute path
  loglevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  umask: number | null; // the daemon's own umask (logs, socket); null: inherited
  user: string | null; // drop to this user after opening socket and logs
  socket_owner: string | null; // 'user' or 'user:group' for the control socket
}

/** Where one output stream of a program goes. */
export type LogTarget =
  | { kind: 'none' } // discarded
  | { kind: 'auto' } // a file in childlogdir, named after the process
  | { kind: 'file'; path: string }; // absolute path; may hold %(process_num)d etc.

export interface ProgramConfig {
  name: string;
  cmd: string; // as written
  argv: string[]; // cmd split with shell-like quoting; argv[0] not yet searched in PATH
  numprocs: number;
  umask: number | null; // null: inherit the daemon's
  workingdir: string | null; // null: the daemon's
  autostart: boolean;
  autorestart: AutoRestart;
  exitcodes: number[];
  startretries: number;
  starttime: number; // seconds
  stopsignal: string; // canonical name without SIG: 'TERM'
  stoptime: number; // seconds
  restartdelay: number; // seconds before an autorestart after an exit from RUNNING
  restartdelay_max: number; // seconds; above restartdelay, the delay doubles per restart in a row up to this
  stdout: LogTarget;
  stderr: LogTarget;
  stdout_maxbytes: number; // 0: never rotate
  stdout_backups: number;
  stderr_maxbytes: number;
  stderr_backups: number;
  redirect_stderr: boolean;
  env: Record<string, string>;
  user: string | null;
  priority: number;
  stopasgroup: boolean;
  killasgroup: boolean;
}

export interface Config {
  file: string; // absolute path of the main config file
  daemon: DaemonSettings;
  programs: ProgramConfig[]; // in file order; includes merged
}

/** One problem found in a config, with where it was found. */
export interface ConfigIssue {
  file: string;
  line: number; // 1-based; 0 when unknown
  col: number; // 1-based; 0 when unknown
  program: string | null;
  key: string | null; // dotted path below the program, e.g. 'env.ANSWER'
  message: string; // what was expected, what was found, the valid choices
}

export type LoadResult =
  | { ok: true; config: Config; warnings: ConfigIssue[] }
  | { ok: false; errors: ConfigIssue[]; warnings: ConfigIssue[] };
