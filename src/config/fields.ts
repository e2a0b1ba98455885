// Readers for single values. Each returns the typed value, or undefined after
// reporting why the value was refused; the caller then keeps the default so
// validation can go on and find the next mistake.
import { resolve } from 'node:path';
import { isScalar, type Scalar } from 'yaml';
import type { Scope } from './issues';
import { expected, isNull, sourceText, type Field, type YamlValue } from './nodes';
import { durationSeconds } from './duration';
import { canonicalSignal, SIGNAL_NAMES } from './signals';

function scalarOf(node: YamlValue | null): Scalar | null {
  return node !== null && isScalar(node) ? node : null;
}

export function readBool(s: Scope, f: Field): boolean | undefined {
  const value = scalarOf(f.node)?.value;
  if (typeof value === 'boolean') return value;
  s.error(f.at, f.name, expected('true or false', f.node));
  return undefined;
}

/** An integer in [min, max]; `max` absent means unbounded. */
export function readInt(s: Scope, f: Field, min?: number, max?: number): number | undefined {
  const value = scalarOf(f.node)?.value;
  const inRange = typeof value === 'number' && Number.isSafeInteger(value) && (min === undefined || value >= min) && (max === undefined || value <= max);
  if (inRange) return value;
  s.error(f.at, f.name, expected(describeRange(min, max), f.node));
  return undefined;
}

function describeRange(min?: number, max?: number): string {
  if (min !== undefined && max !== undefined) return `an integer from ${min} to ${max}`;
  if (min !== undefined) return `an integer >= ${min}`;
  return 'an integer';
}

/** Seconds as a non-negative number; decimals allowed (0.5). */
export function readSeconds(s: Scope, f: Field): number | undefined {
  const value = scalarOf(f.node)?.value;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  s.error(f.at, f.name, expected('a number of seconds >= 0 (decimals allowed, e.g. 0.5)', f.node));
  return undefined;
}

/**
 * A duration in seconds: a number of seconds (decimals allowed), or a string
 * of one or more number-unit pairs with units ms, s, m, h, d ("90s", "1h30m").
 */
export function readDuration(s: Scope, f: Field): number | undefined {
  const value = scalarOf(f.node)?.value;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  const seconds = typeof value === 'string' ? durationSeconds(value) : null;
  if (seconds !== null) return seconds;
  s.error(f.at, f.name, expected('a duration: seconds >= 0, or number-unit pairs with units ms, s, m, h, d (e.g. 3600, 90s, 1h30m)', f.node));
  return undefined;
}

/**
 * A mode such as a umask, read as octal from the text as written: `022`,
 * "0022", 0o22 and 22 all mean 0o22. YAML 1.2 would read plain `022` as
 * decimal 22, which is never what someone writing a umask means.
 */
export function readOctal(s: Scope, f: Field, max: number): number | undefined {
  const node = scalarOf(f.node);
  const text = node === null || node.value === null ? '' : sourceText(node).trim();
  const digits = text.replace(/^0o/i, '');
  if (/^[0-7]+$/.test(digits)) {
    const value = parseInt(digits, 8);
    if (value <= max) return value;
  }
  s.error(f.at, f.name, expected(`an octal mode from 0 to ${max.toString(8)} (e.g. 022)`, f.node));
  return undefined;
}

const BYTE_UNITS: Record<string, number> = { '': 1, b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** A size in bytes: an integer, or a number with unit B, KB, MB, GB (1024-based). */
export function readBytes(s: Scope, f: Field): number | undefined {
  return readByteSize(s, f, '0 never rotates');
}

/** readBytes, for a size whose 0 means something else: `zero` says what, in the error. */
export function readByteSize(s: Scope, f: Field, zero: string): number | undefined {
  const value = scalarOf(f.node)?.value;
  let bytes: number | undefined;
  if (typeof value === 'number') bytes = value;
  if (typeof value === 'string') {
    const m = /^(\d+)\s*([kmg]?b)?$/i.exec(value.trim());
    if (m) bytes = Number(m[1]) * BYTE_UNITS[(m[2] ?? '').toLowerCase()]!;
  }
  if (bytes !== undefined && Number.isSafeInteger(bytes) && bytes >= 0) return bytes;
  s.error(f.at, f.name, expected(`a size in bytes: an integer >= 0 or a number with unit B, KB, MB or GB (e.g. 50MB; ${zero})`, f.node));
  return undefined;
}

export function readSignal(s: Scope, f: Field): string | undefined {
  const value = scalarOf(f.node)?.value;
  const name = typeof value === 'string' || typeof value === 'number' ? canonicalSignal(value) : null;
  if (name !== null) return name;
  s.error(f.at, f.name, expected(`a signal name (${SIGNAL_NAMES.join(', ')}) or number`, f.node));
  return undefined;
}

export function readChoice<T extends string>(s: Scope, f: Field, choices: readonly T[]): T | undefined {
  const value = scalarOf(f.node)?.value;
  const found = choices.find((c) => c === value);
  if (found !== undefined) return found;
  s.error(f.at, f.name, expected(`one of ${choices.join(', ')}`, f.node));
  return undefined;
}

/** A non-empty string. */
export function readString(s: Scope, f: Field, what: string): string | undefined {
  const value = scalarOf(f.node)?.value;
  if (typeof value === 'string' && value.trim() !== '') return value;
  s.error(f.at, f.name, expected(what, f.node));
  return undefined;
}

/** A path, made absolute against the directory of the file it is written in;
 *  null when `nullable` and the value is null. */
export function readPath(s: Scope, f: Field, nullable: boolean): string | null | undefined {
  if (nullable && isNull(f.node)) return null;
  const what = nullable ? 'a path or null' : 'a path';
  const value = readString(s, f, what);
  return value === undefined ? undefined : resolve(s.dir, value);
}
