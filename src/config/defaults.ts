// Defaults of what is not a setting in a table (a program's and the daemon's
// defaults are in program-fields.ts and daemon-fields.ts).
import { DAEMON_FIELDS } from './daemon-fields';
import { withDefaults } from './field-table';
import type { DaemonSettings } from './types';

export const DEFAULT_CONFIG_FILE = '/etc/taskmaster/taskmaster.yaml';

/** The daemon's settings when its section is absent; the CLI reads the socket from here. */
export const DEFAULT_DAEMON: DaemonSettings = withDefaults(DAEMON_FIELDS, {});
