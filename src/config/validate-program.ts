// One program's settings: from a YAML map to a ProgramConfig, key by key as
// the table in program-fields.ts says. Every key is checked even after a bad
// one, so one run lists all of a program's mistakes.
import { isMap, type YAMLMap } from 'yaml';
import { splitCommand } from './command';
import { variesPerInstance } from './expand';
import { knownFields, readFields, withDefaults } from './field-table';
import type { Pos, Scope } from './issues';
import { expected, isNull, posOf, type Field, type YamlValue } from './nodes';
import { PROGRAM_FIELDS } from './program-fields';
import type { SourceFile } from './source';
import type { ProgramConfig } from './types';
import { ALL_LIMITS_APPLY, type LimitRefusal, refuseLimits } from './limit-refusal';
import { checkReadiness } from './ready-checks';

/** `s` is the program's scope; `nameAt` where its name is written. */
export function validateProgram(src: SourceFile, s: Scope, name: string, nameAt: Pos, node: YamlValue | null, refuseLimit: LimitRefusal = ALL_LIMITS_APPLY): ProgramConfig {
  if (node === null || !isMap(node)) {
    s.error(isNull(node) ? nameAt : posOf(src, node), null, expected('a map of settings with at least "cmd"', node));
    return { name, argv: [], ...withDefaults(PROGRAM_FIELDS, {}) };
  }
  return readProgramMap(src, s, name, nameAt, node, refuseLimit);
}

function readProgramMap(src: SourceFile, s: Scope, name: string, nameAt: Pos, map: YAMLMap, refuseLimit: LimitRefusal): ProgramConfig {
  const fields = knownFields(PROGRAM_FIELDS, src, s, map);
  const read = readFields(PROGRAM_FIELDS, fields, s, src, nameAt);
  const p: ProgramConfig = { name, argv: argvOf(s, fields.get('cmd'), read.cmd), ...withDefaults(PROGRAM_FIELDS, read) };
  checkCrossFields(s, p, fields);
  refuseLimits(s, p, fields, refuseLimit);
  return p;
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

function checkCrossFields(s: Scope, p: ProgramConfig, fields: ReadonlyMap<string, Field>): void {
  checkReadiness(s, p, fields);
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
