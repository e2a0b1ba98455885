// A section of the config as one table: per key its default, its reader,
// what a reload does when it changes, and how it is shown back. A program's
// settings and the daemon's own section are each one such table; their key
// lists, defaults, types and views are derived here, never written again.
import type { YAMLMap } from 'yaml';
import type { Pos, Scope } from './issues';
import { fieldsOf, type Field } from './nodes';
import type { SourceFile } from './source';
import { unknownKeyMessage } from './suggest';

/**
 * What a reload does when the value changes. `in-place`: only the supervisor
 * reads it, so it applies at once (running processes keep going). `restart`:
 * it takes a restart — of the program's processes, since what was exec'd
 * would differ (cmd, env, umask, user, log targets…); of the daemon, for its
 * own settings.
 */
export type OnChange = 'in-place' | 'restart';

export interface FieldSpec<T> {
  readonly default: T;
  /** The value, or undefined after reporting why it was refused (the default then stands). */
  readonly read: (s: Scope, f: Field, src: SourceFile) => T | undefined;
  readonly onChange: OnChange;
  /** The value in the config file's own vocabulary; absent: as stored. (A method, so
   *  that one table can hold specs of different value types.) */
  show?(value: T): unknown;
  /** When the key is absent, the value of this other key instead of `default`. */
  readonly defaultFrom?: string;
  /** Present: the key must be written; says what it holds. */
  readonly required?: string;
}

export function field<T>(spec: FieldSpec<T>): FieldSpec<T> {
  return spec;
}

type Table = { readonly [key: string]: FieldSpec<unknown> };

/** The settings a table describes, each typed by its entry. */
export type SettingsOf<T extends Table> = { [K in keyof T]: T[K] extends FieldSpec<infer V> ? V : never };

/** The keys in table order: the order in which messages list them. */
export function keysOf<T extends Table>(table: T): readonly (keyof T & string)[] {
  return Object.keys(table);
}

export function isKeyOf<T extends Table>(table: T, key: string): key is keyof T & string {
  return Object.prototype.hasOwnProperty.call(table, key);
}

/** The entries of `map` whose keys the table has; any other key is reported,
 *  with the nearest valid one and the list of valid keys. */
export function knownFields(table: Table, src: SourceFile, s: Scope, map: YAMLMap): Map<string, Field> {
  const fields = new Map<string, Field>();
  for (const f of fieldsOf(src, s, map)) {
    if (isKeyOf(table, f.name)) fields.set(f.name, f);
    else s.error(f.keyAt, f.name, unknownKeyMessage(f.name, keysOf(table)));
  }
  return fields;
}

/** The values of the keys written (refused ones left out); a missing required
 *  key is reported at `missingAt`, where the section is named. */
export function readFields<T extends Table>(table: T, fields: ReadonlyMap<string, Field>, s: Scope, src: SourceFile, missingAt: Pos): Partial<SettingsOf<T>> {
  const read: Partial<Record<string, unknown>> = {};
  for (const key of keysOf(table)) {
    const spec = table[key]!;
    const f = fields.get(key);
    if (f === undefined) {
      if (spec.required !== undefined) s.error(missingAt, key, `missing required key "${key}": expected ${spec.required}`);
      continue;
    }
    const value = spec.read(s, f, src);
    if (value !== undefined) read[key] = value;
  }
  return read as Partial<SettingsOf<T>>;
}

/** The values read, completed by the defaults; each default is a fresh copy,
 *  so no two programs share an array or a map. */
export function withDefaults<T extends Table>(table: T, read: Partial<SettingsOf<T>>): SettingsOf<T> {
  const given = read as Partial<Record<string, unknown>>;
  const out: Record<string, unknown> = {};
  for (const key of keysOf(table)) out[key] = given[key] !== undefined ? given[key] : freshCopy(table[key]!.default);
  // Second pass: a default that follows another key takes that key's final value.
  for (const key of keysOf(table)) {
    const from = table[key]!.defaultFrom;
    if (given[key] === undefined && from !== undefined) out[key] = out[from];
  }
  return out as SettingsOf<T>;
}

// Only objects need copying; most defaults are numbers and strings, which
// structuredClone would serialise and read back for each program.
function freshCopy<V>(value: V): V {
  return typeof value === 'object' && value !== null ? structuredClone(value) : value;
}

/** Every setting in the config's own vocabulary; copies, never the config's own objects. */
export function showSettings<T extends Table>(table: T, settings: SettingsOf<T>): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const key of keysOf(table)) {
    const spec = table[key]!;
    shown[key] = spec.show === undefined ? structuredClone(settings[key]) : spec.show(settings[key]);
  }
  return shown;
}
