// Defaults of what is not a setting in a table (a program's and the daemon's
// defaults are in program-fields.ts and daemon-fields.ts).
import { DAEMON_FIELDS } from './daemon-fields';
import { withDefaults } from './field-table';
import type { DaemonSettings } from './types';

export { DEFAULT_CONFIG_FILE } from './default-paths';

/** The daemon's settings when its section is absent. */
export const DEFAULT_DAEMON: DaemonSettings = withDefaults(DAEMON_FIELDS, {});
