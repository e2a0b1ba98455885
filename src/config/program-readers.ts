// Readers for the program settings whose shape is their own (fields.ts has
// the ones shared with the daemon's section). Each returns the value, or
// undefined after reporting why it was refused.
import { isMap, isScalar, isSeq } from 'yaml';
import { readInt, readPath, readString } from './fields';
import type { Scope } from './issues';
import { deref, expected, fieldsOf, isNull, posOf, sourceText, type Field } from './nodes';
import type { SourceFile } from './source';

export type AutoRestart = 'always' | 'never' | 'unexpected'; // YAML: true | false | unexpected

/** Where one output stream of a program goes. */
export type LogTarget =
  | { kind: 'none' } // discarded
  | { kind: 'auto' } // a file in childlogdir, named after the process
  | { kind: 'file'; path: string }; // absolute path; may hold %(process_num)d etc.

const AUTORESTART: Record<string, AutoRestart> = { true: 'always', false: 'never', unexpected: 'unexpected' };

export function readAutorestart(s: Scope, f: Field): AutoRestart | undefined {
  const value = f.node !== null && isScalar(f.node) ? f.node.value : undefined;
  const mode = typeof value === 'boolean' || value === 'unexpected' ? AUTORESTART[String(value)] : undefined;
  if (mode === undefined) s.error(f.at, f.name, expected('true, false or unexpected', f.node));
  return mode;
}

export function readExitCodes(src: SourceFile, s: Scope, f: Field): number[] | undefined {
  if (f.node !== null && isScalar(f.node) && typeof f.node.value === 'number') {
    const code = readInt(s, f, 0, 255);
    return code === undefined ? undefined : [code];
  }
  if (f.node === null || !isSeq(f.node) || f.node.items.length === 0) {
    s.error(f.at, f.name, expected('an exit code from 0 to 255 or a non-empty list of them', f.node));
    return undefined;
  }
  const codes: number[] = [];
  f.node.items.forEach((item, i) => {
    const element: Field = { name: `${f.name}[${i}]`, keyAt: f.keyAt, node: deref(src, item), at: posOf(src, item) };
    const code = readInt(s, element, 0, 255);
    if (code !== undefined) codes.push(code);
  });
  return codes.length === f.node.items.length ? codes : undefined;
}

/** `none`, or a path; absent means a file in childlogdir (the table's default). */
export function readTarget(s: Scope, f: Field): LogTarget | undefined {
  const value = f.node !== null && isScalar(f.node) ? f.node.value : undefined;
  if (typeof value === 'string' && value.trim().toLowerCase() === 'none') return { kind: 'none' };
  if (typeof value !== 'string') {
    s.error(f.at, f.name, expected('a path or none', f.node));
    return undefined;
  }
  const path = readPath(s, f, false);
  return typeof path === 'string' ? { kind: 'file', path } : undefined;
}

/** Values are kept as written: `ANSWER: 42` is "42" and `on` stays "on",
 *  since the child sees text, not YAML's reading of it. */
export function readEnv(src: SourceFile, s: Scope, f: Field): Record<string, string> | undefined {
  if (f.node === null || !isMap(f.node)) {
    s.error(f.at, f.name, expected('a map of NAME: value', f.node));
    return undefined;
  }
  const envScope = s.below(f.name);
  const env: Record<string, string> = {};
  for (const entry of fieldsOf(src, envScope, f.node)) {
    if (entry.name === '' || /[=\0]/.test(entry.name)) {
      envScope.error(entry.keyAt, entry.name, `expected a variable name that is non-empty and holds no "=", got ${JSON.stringify(entry.name)}`);
    } else if (entry.node === null || !isScalar(entry.node) || entry.node.value === null) {
      envScope.error(entry.at, entry.name, expected('a string, number or boolean (write "" for an empty value)', entry.node));
    } else {
      env[entry.name] = sourceText(entry.node);
    }
  }
  return env;
}

export function readUser(s: Scope, f: Field): string | null | undefined {
  if (isNull(f.node)) return null;
  const node = f.node !== null && isScalar(f.node) ? f.node : null;
  if (typeof node?.value === 'number' && Number.isSafeInteger(node.value) && node.value >= 0) return sourceText(node);
  return readString(s, f, 'a user name or numeric uid');
}

/** `stdin: pipe`; null (the default) is /dev/null. */
export function readStdin(s: Scope, f: Field): 'pipe' | null | undefined {
  if (isNull(f.node)) return null;
  const value = f.node !== null && isScalar(f.node) ? f.node.value : undefined;
  if (value === 'pipe') return 'pipe';
  s.error(f.at, f.name, expected('pipe or null', f.node));
  return undefined;
}
