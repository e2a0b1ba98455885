// The validated, typed configuration: what the rest of taskmaster sees.
// Raw YAML never leaves src/config.
import type { DaemonSettings } from './daemon-fields';
import type { ProgramSettings } from './program-fields';

export type AutoRestart = 'always' | 'never' | 'unexpected'; // YAML: true | false | unexpected

/** The daemon's own settings: one per key of the table in daemon-fields.ts. */
export type { DaemonSettings };

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
