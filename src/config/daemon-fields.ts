// The settings of the `taskmasterd:` section, written once, as a table like a
// program's (field-table.ts): the accepted keys, DEFAULT_DAEMON and the
// DaemonSettings type are derived from it. All are optional. Defaults are
// supervisord's where it has the setting. `restart` here means the next
// start of the daemon; a reload applies the `in-place` ones at once.
import { DEFAULT_SOCKET } from './default-paths';
import { field, keysOf, type SettingsOf } from './field-table';
import { join } from 'node:path';
import { readBool, readByteSize, readBytes, readChoice, readDuration, readInt, readOctal, readPath, readString } from './fields';
import type { Scope } from './issues';
import { readRemote, type RemoteConfig } from './remote-fields';
import { isNull, type Field } from './nodes';
import { FATAL_ACTIONS, type FatalAction, type HookSpec, readHook, showHook } from './hook-readers';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
const FREQUENCIES = ['daily', 'hourly'] as const;

export const DAEMON_FIELDS = {
  // Absolute path.
  socket: field<string>({ default: DEFAULT_SOCKET, read: (s, f) => readPath(s, f, false) ?? undefined, onChange: 'restart' }),
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
  // Ad-hoc jobs (src/jobs/). Where their output is spooled; null: jobsDir() below.
  jobs_dir: field<string | null>({ default: null, read: (s, f) => readPath(s, f, true), onChange: 'restart' }),
  // Output kept per job (stdout and stderr together); past it, a marker and nothing more.
  job_output_max: field<number>({ default: 100 * 1024 * 1024, read: (s, f) => readByteSize(s, f, '0 keeps no output'), onChange: 'restart' }),
  // Seconds a finished job and its output are kept.
  job_retention: field<number>({ default: 3600, read: readDuration, onChange: 'restart' }),
  // Jobs one identity may have running at once.
  job_max_running: field<number>({ default: 16, read: (s, f) => readInt(s, f, 1), onChange: 'restart' }),
  // Seconds between a kill's SIGTERM and the SIGKILL to what is left of the job's process group.
  job_kill_grace: field<number>({ default: 10, read: readDuration, onChange: 'restart' }),
  // The remote API (remote-fields.ts); null: none. A reload applies it to the gateway.
  remote: field<RemoteConfig | null>({ default: null, read: readRemote, onChange: 'in-place' }),
  // The daemon's hooks (src/hooks/reactions.ts): as a program's, for every program, run as the daemon's user.
  on_exit: field<HookSpec | null>({ default: null, read: (s, f, src) => readHook(s, f, src), onChange: 'in-place', show: showHook }),
  on_fatal: field<HookSpec | null>({ default: null, read: (s, f, src) => readHook(s, f, src), onChange: 'in-place', show: showHook }),
  on_state: field<HookSpec | null>({ default: null, read: (s, f, src) => readHook(s, f, src), onChange: 'in-place', show: showHook }),
  // shutdown: any program going FATAL stops every program and the daemon, which exits 3.
  fatal_action: field<FatalAction>({ default: 'none', read: (s, f) => readChoice(s, f, FATAL_ACTIONS), onChange: 'in-place' }),
  // The daemon's log also goes to syslog (RFC 5424) at syslog_socket, a datagram socket.
  syslog: field<boolean>({ default: false, read: readBool, onChange: 'restart' }),
  syslog_socket: field<string>({ default: '/dev/log', read: (s, f) => readPath(s, f, false) ?? undefined, onChange: 'restart' }),
};

export type DaemonSettings = SettingsOf<typeof DAEMON_FIELDS>;
export const DAEMON_KEYS = keysOf(DAEMON_FIELDS);

/**
 * Where job output is spooled: `jobs_dir`, else `jobs` in childlogdir — on
 * disk beside the programs' logs, not beside the socket, whose /run is
 * usually a tmpfs (memory), and per daemon, as childlogdir is.
 */
export function jobsDir(settings: Pick<DaemonSettings, 'jobs_dir' | 'childlogdir'>): string {
  return settings.jobs_dir ?? join(settings.childlogdir, 'jobs');
}

function readSocketOwner(s: Scope, f: Field): string | null | undefined {
  if (isNull(f.node)) return null;
  const owner = readString(s, f, '"user" or "user:group"');
  if (owner === undefined || /^[^:\s]+(:[^:\s]+)?$/.test(owner)) return owner;
  s.error(f.at, f.name, `expected "user" or "user:group", got ${JSON.stringify(owner)}`);
  return undefined;
}
