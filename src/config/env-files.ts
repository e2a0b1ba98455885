// `env_file:` — environment files read when the config is loaded (and so
// again at each reload), their variables kept in the program's config: a
// changed file is a changed program, restarted by a reload like a changed
// `env`. The program's own `env` is laid over them when the child starts.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isScalar, isSeq } from 'yaml';
import { parseEnvFile } from './env-file-parse';
import type { Scope } from './issues';
import { deref, expected, isNull, posOf, type Field } from './nodes';
import type { SourceFile } from './source';

export interface EnvFiles {
  /** As written, relative paths made absolute; a leading "-" (optional) kept. */
  files: string[];
  /** Every file's variables, later files over earlier ones. */
  vars: Record<string, string>;
}

export const NO_ENV_FILES: EnvFiles = { files: [], vars: {} };

/** A path or a list of paths; "-PATH" is a file that may be missing (as systemd's EnvironmentFile=-PATH). */
export function readEnvFiles(src: SourceFile, s: Scope, f: Field): EnvFiles | undefined {
  if (isNull(f.node)) return { files: [], vars: {} };
  const entries: Field[] = [];
  if (f.node !== null && isSeq(f.node)) {
    f.node.items.forEach((item, i) => entries.push({ name: `${f.name}[${i}]`, keyAt: f.keyAt, node: deref(src, item), at: posOf(src, item) }));
  } else entries.push(f);
  const read: EnvFiles = { files: [], vars: {} };
  let ok = true;
  for (const entry of entries) {
    const written = entry.node !== null && isScalar(entry.node) && typeof entry.node.value === 'string' ? entry.node.value : '';
    const optional = written.startsWith('-');
    const path = optional ? written.slice(1) : written;
    if (path.trim() === '') {
      s.error(entry.at, entry.name, expected('a path to an environment file ("-PATH": optional) or a list of them', entry.node));
      ok = false;
      continue;
    }
    const abs = resolve(s.dir, path);
    read.files.push(optional ? `-${abs}` : abs);
    const text = readText(abs);
    if (typeof text !== 'string') {
      if (optional && text.code === 'ENOENT') continue;
      s.error(entry.at, entry.name, `cannot read the environment file ${abs}: ${text.why}`);
      ok = false;
      continue;
    }
    const parsed = parseEnvFile(text);
    for (const e of parsed.errors) s.error(entry.at, entry.name, `${abs}:${e.line}: ${e.message}`);
    if (parsed.errors.length > 0) ok = false;
    Object.assign(read.vars, parsed.vars);
  }
  return ok ? read : undefined;
}

function readText(path: string): string | { code: string | undefined; why: string } {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    return { code, why };
  }
}

/** As the config would write it: the paths alone (the variables are the files' to say). */
export function showEnvFiles(value: EnvFiles): string[] {
  return [...value.files];
}
