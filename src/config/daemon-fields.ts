// The settings of the `taskmasterd:` section, written once, as a table like a
// program's (field-table.ts): the accepted keys, DEFAULT_DAEMON and the
// DaemonSettings type are derived from it. All are optional. Defaults are
// supervisord's where it has the setting. `restart` here means the next
// start of the daemon; a reload applies the `in-place` ones at once.
import { field, keysOf, type SettingsOf } from './field-table';
import { readBytes, readChoice, readInt, readOctal, readPath, readString } from './fields';
import type { Scope } from './issues';
import { readRemote, type RemoteConfig } from './remote-fields';
import { isNull, type Field } from './nodes';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
const FREQUENCIES = ['daily', 'hourly'] as const;

export const DAEMON_FIELDS = {
  // Absolute path.
  socket: field<string>({ default: '/run/taskmaster/taskmaster.sock', read: (s, f) => readPath(s, f, false) ?? undefined, onChange: 'restart' }),
  socket_mode: field<number>({ default: 0o700, read: (s, f) => readOctal(s, f, 0o777), onChange: 'restart' }),
  // null: human-readable lines on stderr.
  logfile: field<string | null>({ default: null, read: (s, f) => readPath(s, f, true), onChange: 'restart' }),
  logfile_maxbytes: field<number>({ default: 50 * 1024 * 1024, read: readBytes, onChange: 'restart' }),
  logfile_backups: field<number>({ default: 10, read: (s, f) => readInt(s, f, 0), onChange: 'restart' }),
  // Time-based rotation, besides size.
  logfile_frequency: field<(typeof FREQUENCIES)[number] | null>({
    default: null,
    read: (s, f) => (isNull(f.node) ? null : readChoice(s, f, FREQUENCIES)),
    onChange: 'restart',
  }),
  // Absolute path.
  childlogdir: field<string>({ default: '/var/log/taskmaster', read: (s, f) => readPath(s, f, false) ?? undefined, onChange: 'restart' }),
  loglevel: field<(typeof LOG_LEVELS)[number]>({ default: 'info', read: (s, f) => readChoice(s, f, LOG_LEVELS), onChange: 'in-place' }),
  // The daemon's own umask (logs, socket); null: inherited.
  umask: field<number | null>({ default: null, read: (s, f) => (isNull(f.node) ? null : readOctal(s, f, 0o777)), onChange: 'restart' }),
  // Drop to this user after opening the socket and logs.
  user: field<string | null>({ default: null, read: (s, f) => (isNull(f.node) ? null : readString(s, f, 'a user name or uid')), onChange: 'restart' }),
  // 'user' or 'user:group' for the control socket.
  socket_owner: field<string | null>({ default: null, read: readSocketOwner, onChange: 'restart' }),
  // The remote API (remote-fields.ts); null: none. A reload applies it to the gateway.
  remote: field<RemoteConfig | null>({ default: null, read: readRemote, onChange: 'in-place' }),
};

export type DaemonSettings = SettingsOf<typeof DAEMON_FIELDS>;
export const DAEMON_KEYS = keysOf(DAEMON_FIELDS);

function readSocketOwner(s: Scope, f: Field): string | null | undefined {
  if (isNull(f.node)) return null;
  const owner = readString(s, f, '"user" or "user:group"');
  if (owner === undefined || /^[^:\s]+(:[^:\s]+)?$/.test(owner)) return owner;
  s.error(f.at, f.name, `expected "user" or "user:group", got ${JSON.stringify(owner)}`);
  return undefined;
}
