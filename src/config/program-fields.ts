// Every setting a program accepts, written once: its default, how it is read
// from YAML, what a reload does when it changes, and how `taskmasterctl
// config` shows it. The accepted keys, the defaults, the ProgramConfig type,
// the reload's in-place set and the effective view are derived from here,
// so a setting added to the table is added to all of them.
// Defaults are supervisord's where it has the setting.
import { readBool, readBytes, readInt, readOctal, readPath, readSeconds, readSignal, readString } from './fields';
import type { Scope } from './issues';
import { isNull, type Field } from './nodes';
import { readAutorestart, readEnv, readExitCodes, readTarget, readUser } from './program-readers';
import type { SourceFile } from './source';
import type { AutoRestart, LogTarget } from './types';

/**
 * What a reload does when the value changes. `in-place`: only the supervisor
 * reads it, so running processes keep going under the new value. `restart`:
 * what was exec'd would differ (cmd, env, umask, user, log targets…).
 */
export type OnChange = 'in-place' | 'restart';

export interface FieldSpec<T> {
  readonly default: T;
  /** The value, or undefined after reporting why it was refused (the default then stands). */
  readonly read: (s: Scope, f: Field, src: SourceFile) => T | undefined;
  readonly onChange: OnChange;
  /** The value in the config file's own vocabulary; absent: as stored. */
  readonly show?: (value: T) => unknown;
  /** When the key is absent, the value of this other key instead of `default`. */
  readonly defaultFrom?: string;
  /** Present: the key must be written; says what it holds. */
  readonly required?: string;
}

function field<T>(spec: FieldSpec<T>): FieldSpec<T> {
  return spec;
}

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
};

export type ProgramKey = keyof typeof PROGRAM_FIELDS;
type ValueOf<S> = S extends FieldSpec<infer T> ? T : never;
/** A program's settings, one per key of the table, typed by its entry. */
export type ProgramSettings = { [K in ProgramKey]: ValueOf<(typeof PROGRAM_FIELDS)[K]> };

// The table seen per key, so that a generic K's spec is known to hold a ProgramSettings[K].
const SPECS: { readonly [K in ProgramKey]: FieldSpec<ProgramSettings[K]> } = PROGRAM_FIELDS;

export const PROGRAM_KEYS: readonly ProgramKey[] = Object.keys(PROGRAM_FIELDS) as ProgramKey[];

export function isProgramKey(key: string): key is ProgramKey {
  return Object.prototype.hasOwnProperty.call(PROGRAM_FIELDS, key);
}

export function specOf<K extends ProgramKey>(key: K): FieldSpec<ProgramSettings[K]> {
  return SPECS[key];
}

/** The values read, completed by the defaults; each default is a fresh copy,
 *  so no two programs share an array or map. */
export function withDefaults(read: Partial<ProgramSettings>): ProgramSettings {
  const out: Partial<Record<ProgramKey, unknown>> = {};
  for (const k of PROGRAM_KEYS) out[k] = read[k] !== undefined ? read[k] : structuredClone(SPECS[k].default);
  // Second pass: a default that follows another key takes that key's final value.
  for (const k of PROGRAM_KEYS) {
    const from = SPECS[k].defaultFrom;
    if (read[k] === undefined && from !== undefined) out[k] = out[from as ProgramKey];
  }
  return out as ProgramSettings;
}

/** One setting as `taskmasterctl config` shows it; a copy, never the config's own object. */
export function showSetting<K extends ProgramKey>(key: K, value: ProgramSettings[K]): unknown {
  const show = specOf(key).show;
  return show === undefined ? structuredClone(value) : show(value);
}

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
