// One program's settings: from a YAML map to a ProgramConfig, key by key as
// the table in program-fields.ts says. Every key is checked even after a bad
// one, so one run lists all of a program's mistakes.
import { isMap, type YAMLMap } from 'yaml';
import { splitCommand } from './command';
import { variesPerInstance } from './expand';
import type { Pos, Scope } from './issues';
import { expected, fieldsOf, isNull, posOf, type Field, type YamlValue } from './nodes';
import { isProgramKey, PROGRAM_KEYS, specOf, withDefaults, type ProgramKey, type ProgramSettings } from './program-fields';
import type { SourceFile } from './source';
import { unknownKeyMessage } from './suggest';
import type { ProgramConfig } from './types';

/** `s` is the program's scope; `nameAt` where its name is written. */
export function validateProgram(src: SourceFile, s: Scope, name: string, nameAt: Pos, node: YamlValue | null): ProgramConfig {
  if (node === null || !isMap(node)) {
    s.error(isNull(node) ? nameAt : posOf(src, node), null, expected('a map of settings with at least "cmd"', node));
    return { name, argv: [], ...withDefaults({}) };
  }
  return readProgramMap(src, s, name, nameAt, node);
}

function readProgramMap(src: SourceFile, s: Scope, name: string, nameAt: Pos, map: YAMLMap): ProgramConfig {
  const fields = new Map<ProgramKey, Field>();
  for (const f of fieldsOf(src, s, map)) {
    if (isProgramKey(f.name)) fields.set(f.name, f);
    else s.error(f.keyAt, f.name, unknownKeyMessage(f.name, PROGRAM_KEYS));
  }
  const read: Partial<ProgramSettings> = {};
  for (const key of PROGRAM_KEYS) readInto(read, key, fields.get(key), { src, s, nameAt });
  const p: ProgramConfig = { name, argv: argvOf(s, fields.get('cmd'), read.cmd), ...withDefaults(read) };
  checkCrossFields(s, p, fields);
  return p;
}

interface ReadContext {
  src: SourceFile;
  s: Scope;
  nameAt: Pos; // where a missing required key is reported
}

function readInto<K extends ProgramKey>(read: Partial<ProgramSettings>, key: K, f: Field | undefined, { src, s, nameAt }: ReadContext): void {
  const spec = specOf(key);
  if (f === undefined) {
    if (spec.required !== undefined) s.error(nameAt, key, `missing required key "${key}": expected ${spec.required}`);
    return;
  }
  const value = spec.read(s, f, src);
  if (value !== undefined) read[key] = value;
}

/** cmd split with shell-like quoting; empty when cmd is missing or refused. */
function argvOf(s: Scope, f: Field | undefined, cmd: string | undefined): string[] {
  if (f === undefined || cmd === undefined) return [];
  const split = splitCommand(cmd);
  if (!split.ok) {
    s.error(f.at, f.name, split.message);
    return [];
  }
  return split.argv;
}

function checkCrossFields(s: Scope, p: ProgramConfig, fields: Map<ProgramKey, Field>): void {
  const stderrField = fields.get('stderr');
  if (p.redirect_stderr && stderrField !== undefined) {
    s.warn(stderrField.keyAt, 'stderr', 'stderr is ignored because redirect_stderr is true (stderr goes to stdout)');
  }
  const streams = p.redirect_stderr ? (['stdout'] as const) : (['stdout', 'stderr'] as const);
  for (const stream of streams) {
    const target = p[stream];
    const f = fields.get(stream);
    if (p.numprocs > 1 && target.kind === 'file' && f !== undefined && !variesPerInstance(target.path)) {
      s.error(f.at, stream, `with numprocs ${p.numprocs}, all instances would write to one file; expected a path containing %(process_num)d (or %(process_num)02d) or %(process_name)s, got ${JSON.stringify(target.path)}`);
    }
  }
}
