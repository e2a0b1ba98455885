// The `taskmasterd:` section: settings of the daemon itself, all optional,
// read as the table in daemon-fields.ts says.
import { isMap } from 'yaml';
import { DAEMON_FIELDS, DAEMON_KEYS } from './daemon-fields';
import { knownFields, readFields, withDefaults } from './field-table';
import { expected, isNull, type Field } from './nodes';
import { checkRemoteAccounts } from './remote-accounts';
import type { SourceFile } from './source';
import type { DaemonSettings } from './types';

/** `field` is the `taskmasterd:` entry, or undefined when the file has none. */
export function validateDaemon(src: SourceFile, field: Field | undefined): DaemonSettings {
  if (field === undefined || isNull(field.node)) return withDefaults(DAEMON_FIELDS, {});
  if (field.node === null || !isMap(field.node)) {
    src.scope.error(field.at, field.name, expected(`a map with keys ${DAEMON_KEYS.join(', ')}`, field.node));
    return withDefaults(DAEMON_FIELDS, {});
  }
  const s = src.scope.below(field.name);
  const fields = knownFields(DAEMON_FIELDS, src, s, field.node);
  const settings = withDefaults(DAEMON_FIELDS, readFields(DAEMON_FIELDS, fields, s, src, field.keyAt));
  // The remote API's accounts depend on taskmasterd.user, a sibling its own reader cannot see.
  if (settings.remote !== null) checkRemoteAccounts(src, s, fields.get('remote')!, settings.remote, settings.user);
  return settings;
}
