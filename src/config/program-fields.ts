// Every setting a program accepts, written once: its default, how it is read
// from YAML, what a reload does when it changes, and how `taskmasterctl
// config` shows it. The accepted keys, the defaults, the ProgramConfig type,
// the reload's in-place set and the effective view are derived from here
// (field-table.ts), so a setting added to the table is added to all of them.
// Defaults are supervisord's where it has the setting.
import { field, keysOf, type SettingsOf } from './field-table';
import { readBool, readBytes, readChoice, readInt, readOctal, readPath, readSeconds, readSignal, readString } from './fields';
import { isNull } from './nodes';
import { readAutorestart, readEnv, readExitCodes, readStdin, readTarget, readUser } from './program-readers';
import { readByteLimit, readCpuLimit, readIoWeight, readPidsLimit, showCpu } from './limit-readers';
import { readDependsOn } from './dependencies';
import { type ByteLimit, showBytes } from '../cgroups/limits';
import { type EnvFiles, NO_ENV_FILES, readEnvFiles, showEnvFiles } from './env-files';
import type { AutoRestart, LogTarget } from './program-readers';
import { type ReadyCheck, readReady, showReady } from './ready-readers';
import { readPositiveDuration } from './probe-readers';
import { FATAL_ACTIONS, type FatalAction, type HookSpec, readHook, showHook } from './hook-readers';
import { type HealthCheck, readHealthcheck, showHealthcheck } from './health-fields';

const AUTORESTART_YAML: Record<AutoRestart, boolean | 'unexpected'> = { always: true, never: false, unexpected: 'unexpected' };
const LOG_MAXBYTES = 50 * 1024 * 1024;

// In this order unknown-key errors list the valid keys and `config` shows them.
export const PROGRAM_FIELDS = {
  // As written; ProgramConfig.argv holds it split.
  cmd: field<string>({
    default: '',
    required: 'the command line to run',
    read: (s, f) => readString(s, f, 'a command line (a non-empty string)'),
    onChange: 'restart',
  }),
  numprocs: field<number>({ default: 1, read: (s, f) => readInt(s, f, 1, 10000), onChange: 'in-place' }),
  // null: inherit the daemon's.
  umask: field<number | null>({
    default: null,
    read: (s, f) => (isNull(f.node) ? null : readOctal(s, f, 0o777)),
    onChange: 'restart',
    show: (mask) => (mask === null ? null : mask.toString(8).padStart(3, '0')),
  }),
  // null: the daemon's.
  workingdir: field<string | null>({ default: null, read: (s, f) => readPath(s, f, true), onChange: 'restart' }),
  autostart: field<boolean>({ default: true, read: readBool, onChange: 'in-place' }),
  autorestart: field<AutoRestart>({
    default: 'unexpected',
    read: readAutorestart,
    onChange: 'in-place',
    show: (mode) => AUTORESTART_YAML[mode],
  }),
  exitcodes: field<number[]>({ default: [0], read: (s, f, src) => readExitCodes(src, s, f), onChange: 'in-place' }),
  startretries: field<number>({ default: 3, read: (s, f) => readInt(s, f, 0), onChange: 'in-place' }),
  starttime: field<number>({ default: 1, read: readSeconds, onChange: 'in-place' }), // seconds
  // Canonical name without SIG: 'TERM'.
  stopsignal: field<string>({ default: 'TERM', read: readSignal, onChange: 'in-place' }),
  stoptime: field<number>({ default: 10, read: readSeconds, onChange: 'in-place' }), // seconds
  stdout: field<LogTarget>({ default: { kind: 'auto' }, read: readTarget, onChange: 'restart', show: showTarget }),
  stderr: field<LogTarget>({ default: { kind: 'auto' }, read: readTarget, onChange: 'restart', show: showTarget }),
  env: field<Record<string, string>>({ default: {}, read: (s, f, src) => readEnv(src, s, f), onChange: 'restart' }),
  user: field<string | null>({ default: null, read: readUser, onChange: 'restart' }),
  priority: field<number>({ default: 999, read: (s, f) => readInt(s, f), onChange: 'in-place' }),
  stopasgroup: field<boolean>({ default: false, read: readBool, onChange: 'in-place' }),
  killasgroup: field<boolean>({ default: false, defaultFrom: 'stopasgroup', read: readBool, onChange: 'in-place' }),
  // Seconds before an autorestart after an exit from RUNNING; 0: at once, as supervisord.
  restartdelay: field<number>({ default: 0, read: readSeconds, onChange: 'in-place' }),
  // Seconds; above restartdelay, the delay doubles per restart in a row up to this. 0: no growth.
  restartdelay_max: field<number>({ default: 0, read: readSeconds, onChange: 'in-place' }),
  redirect_stderr: field<boolean>({ default: false, read: readBool, onChange: 'restart' }),
  stdout_maxbytes: field<number>({ default: LOG_MAXBYTES, read: readBytes, onChange: 'in-place' }), // 0: never rotate
  stdout_backups: field<number>({ default: 10, read: (s, f) => readInt(s, f, 0), onChange: 'in-place' }),
  stderr_maxbytes: field<number>({ default: LOG_MAXBYTES, read: readBytes, onChange: 'in-place' }),
  stderr_backups: field<number>({ default: 10, read: (s, f) => readInt(s, f, 0), onChange: 'in-place' }),
  // cgroup v2 limits of each instance (cgroups/limits.ts); null: not set. In place: a
  // reload writes the new value to the running instance's cgroup. Refused at load
  // where this host has no usable cgroup v2 subtree (load.ts).
  memory_max: field<ByteLimit | null>({ default: null, read: readByteLimit, onChange: 'in-place', show: showByteLimit }),
  memory_high: field<ByteLimit | null>({ default: null, read: readByteLimit, onChange: 'in-place', show: showByteLimit }),
  cpu_max: field<number | 'max' | null>({ default: null, read: readCpuLimit, onChange: 'in-place', show: showCpu }),
  pids_max: field<number | 'max' | null>({ default: null, read: readPidsLimit, onChange: 'in-place' }),
  io_weight: field<number | null>({ default: null, read: readIoWeight, onChange: 'in-place' }),
  // Readiness (README "Readiness"). ready: what ends STARTING instead of
  // starttime; null: starttime. A restart on change: notify changes the
  // child's environment (NOTIFY_SOCKET), as watchdog_sec does (WATCHDOG_USEC).
  ready: field<ReadyCheck | null>({ default: null, read: readReady, onChange: 'restart', show: showReady }),
  // Seconds STARTING may wait for the check before the start counts as failed.
  ready_timeout: field<number>({ default: 60, read: readPositiveDuration, onChange: 'in-place' }),
  // Seconds a `ready: notify` program may go without WATCHDOG=1 before it is restarted; null: no watchdog.
  watchdog_sec: field<number | null>({ default: null, read: (s, f) => (isNull(f.node) ? null : readPositiveDuration(s, f)), onChange: 'restart' }),
  // Programs that must be RUNNING before this one starts, and that stop after
  // it (supervisor/actions.ts). Names are checked against the whole config,
  // cycles refused (dependencies.ts). In place: only the order changes.
  depends_on: field<string[]>({ default: [], read: (s, f, src) => readDependsOn(src, s, f), onChange: 'in-place' }),
  // Hooks (hook-readers.ts, src/hooks/reactions.ts): run with the event as JSON
  // when an instance's child exits, when it goes FATAL, at each state change.
  on_exit: field<HookSpec | null>({ default: null, read: (s, f, src) => readHook(s, f, src), onChange: 'in-place', show: showHook }),
  on_fatal: field<HookSpec | null>({ default: null, read: (s, f, src) => readHook(s, f, src), onChange: 'in-place', show: showHook }),
  on_state: field<HookSpec | null>({ default: null, read: (s, f, src) => readHook(s, f, src), onChange: 'in-place', show: showHook }),
  // shutdown: this program going FATAL stops every program and the daemon, which exits 3.
  fatal_action: field<FatalAction>({ default: 'none', read: (s, f) => readChoice(s, f, FATAL_ACTIONS), onChange: 'in-place' }),
  // Each line of the stream prefixed with the time it was read (ISO 8601, ms, UTC).
  // A restart: the stamping is set up when the child's pipes are.
  stdout_timestamps: field<boolean>({ default: false, read: readBool, onChange: 'restart' }),
  stderr_timestamps: field<boolean>({ default: false, read: readBool, onChange: 'restart' }),
  // Read at load and at each reload; `env` is laid over what they set.
  env_file: field<EnvFiles>({ default: NO_ENV_FILES, read: (s, f, src) => readEnvFiles(src, s, f), onChange: 'restart', show: showEnvFiles }),
  // Probes while RUNNING (health-fields.ts); null: none, and no timer at all. In
  // place: the next run of the checks follows the new settings, the process stays.
  healthcheck: field<HealthCheck | null>({ default: null, read: readHealthcheck, onChange: 'in-place', show: showHealthcheck }),
  // Attach (`taskmasterctl fg`). stdin: `pipe`, a pipe the daemon holds, so
  // that fg can type into it; null: /dev/null, as supervisord's children
  // that nobody writes to. tty: the program runs on a pseudo-terminal of its
  // own (stdin, stdout and stderr); its output is logged as stdout.
  stdin: field<'pipe' | null>({ default: null, read: readStdin, onChange: 'restart' }),
  tty: field<boolean>({ default: false, read: readBool, onChange: 'restart' }),
};

function showByteLimit(value: ByteLimit | null): string | null {
  return value === null ? null : showBytes(value);
}

export type ProgramKey = keyof typeof PROGRAM_FIELDS;
/** A program's settings, one per key of the table, typed by its entry. */
export type ProgramSettings = SettingsOf<typeof PROGRAM_FIELDS>;
export const PROGRAM_KEYS = keysOf(PROGRAM_FIELDS);

function showTarget(t: LogTarget): string {
  switch (t.kind) {
    case 'none':
    case 'auto':
      return t.kind;
    case 'file':
      return t.path;
    default:
      return unknownTarget(t);
  }
}

function unknownTarget(t: never): never {
  throw new Error(`unknown log target ${JSON.stringify(t)}`);
}
