// The validated, typed configuration: what the rest of taskmaster sees.
// Raw YAML never leaves src/config.
import type { ProgramSettings } from './program-fields';

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

/** A program as the rest of taskmaster sees it: each setting of the table in
 *  program-fields.ts (which also holds what each one means), plus these. */
export interface ProgramConfig extends ProgramSettings {
  name: string;
  argv: string[]; // cmd split with shell-like quoting; argv[0] not yet searched in PATH
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
