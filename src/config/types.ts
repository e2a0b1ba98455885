// The validated, typed configuration: what the rest of taskmaster sees.
// Raw YAML never leaves src/config.
import type { DaemonSettings } from './daemon-fields';
import type { ConfigIssue } from './issues';
import type { ProgramSettings } from './program-fields';
import type { AutoRestart, LogTarget } from './program-readers';

// Defined beside what reads them, so the tables that build these types need
// nothing from here; named here for the rest of taskmaster.
export type { AutoRestart, ConfigIssue, LogTarget };

/** The daemon's own settings: one per key of the table in daemon-fields.ts. */
export type { DaemonSettings };

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

export type LoadResult =
  | { ok: true; config: Config; warnings: ConfigIssue[] }
  | { ok: false; errors: ConfigIssue[]; warnings: ConfigIssue[] };
