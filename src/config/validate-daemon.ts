// The `taskmasterd:` section: settings of the daemon itself, all optional.
import { isMap } from 'yaml';
import { DEFAULT_DAEMON } from './defaults';
import { readBytes, readChoice, readInt, readOctal, readPath, readString } from './fields';
import { expected, fieldsOf, isNull, type Field } from './nodes';
import type { SourceFile } from './source';
import { unknownKeyMessage } from './suggest';
import type { DaemonSettings } from './types';

export const DAEMON_KEYS = ['socket', 'socket_mode', 'logfile', 'logfile_maxbytes', 'logfile_backups', 'logfile_frequency', 'childlogdir', 'loglevel', 'umask', 'user', 'socket_owner'] as const;

export const LOG_LEVELS: readonly DaemonSettings['loglevel'][] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** `field` is the `taskmasterd:` entry, or undefined when the file has none. */
export function validateDaemon(src: SourceFile, field: Field | undefined): DaemonSettings {
  const settings: DaemonSettings = { ...DEFAULT_DAEMON };
  if (field === undefined || isNull(field.node)) return settings;
  const s = src.scope.below(field.name);
  if (field.node === null || !isMap(field.node)) {
    src.scope.error(field.at, field.name, expected(`a map with keys ${DAEMON_KEYS.join(', ')}`, field.node));
    return settings;
  }
  for (const f of fieldsOf(src, s, field.node)) {
    switch (f.name) {
      case 'socket':
        settings.socket = readPath(s, f, false) ?? settings.socket;
        break;
      case 'socket_mode':
        settings.socket_mode = readOctal(s, f, 0o777) ?? settings.socket_mode;
        break;
      case 'logfile': {
        const path = readPath(s, f, true);
        if (path !== undefined) settings.logfile = path;
        break;
      }
      case 'logfile_maxbytes':
        settings.logfile_maxbytes = readBytes(s, f) ?? settings.logfile_maxbytes;
        break;
      case 'logfile_backups':
        settings.logfile_backups = readInt(s, f, 0) ?? settings.logfile_backups;
        break;
      case 'logfile_frequency':
        settings.logfile_frequency = isNull(f.node) ? null : (readChoice(s, f, ['daily', 'hourly'] as const) ?? settings.logfile_frequency);
        break;
      case 'childlogdir':
        settings.childlogdir = readPath(s, f, false) ?? settings.childlogdir;
        break;
      case 'loglevel':
        settings.loglevel = readChoice(s, f, LOG_LEVELS) ?? settings.loglevel;
        break;
      case 'umask':
        settings.umask = isNull(f.node) ? null : (readOctal(s, f, 0o777) ?? settings.umask);
        break;
      case 'user':
        settings.user = isNull(f.node) ? null : (readString(s, f, 'a user name or uid') ?? settings.user);
        break;
      case 'socket_owner': {
        const owner = isNull(f.node) ? null : readString(s, f, '"user" or "user:group"');
        if (owner && !/^[^:\s]+(:[^:\s]+)?$/.test(owner)) s.error(f.at, f.name, `expected "user" or "user:group", got ${JSON.stringify(owner)}`);
        else if (owner !== undefined) settings.socket_owner = owner;
        break;
      }
      default:
        s.error(f.keyAt, f.name, unknownKeyMessage(f.name, DAEMON_KEYS));
    }
  }
  return settings;
}
