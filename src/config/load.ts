// Loading a config: parse with positions, validate into typed config, collect
// every error of the main file and its includes before deciding.
import { isMap } from 'yaml';
import { includedFiles } from './includes';
import { inReadingOrder, IssueList } from './issues';
import { deref, expected, fieldsOf, isNull, posOf, type Field } from './nodes';
import { ProgramRegistry } from './programs';
import { readSource, type SourceFile } from './source';
import { didYouMean, unknownKeyMessage } from './suggest';
import type { LoadResult } from './types';
import { validateDaemon } from './validate-daemon';
import { ALL_LIMITS_APPLY, type LimitRefusal } from './limit-refusal';

export const TOP_KEYS = ['taskmasterd', 'include', 'programs'] as const;
const INCLUDE_KEYS = ['programs'] as const;

/** `refuseLimit`: why this host cannot apply a limit setting (cgroups); by default every one applies. */
export function loadConfig(file: string, refuseLimit: LimitRefusal = ALL_LIMITS_APPLY): LoadResult {
  const issues = new IssueList();
  const src = readSource(file, issues);
  if (src === null) return failure(issues);

  const top = rootFields(src, TOP_KEYS, (key) => unknownKeyMessage(key, TOP_KEYS));
  const daemon = validateDaemon(src, top.get('taskmasterd'));
  const registry = new ProgramRegistry(daemon.user, refuseLimit);
  registry.addFrom(src, top.get('programs'));
  for (const included of includedFiles(src, top.get('include'))) {
    const inc = readSource(included, issues);
    if (inc === null) continue;
    const fields = rootFields(inc, INCLUDE_KEYS, includedKeyMessage);
    registry.addFrom(inc, fields.get('programs'));
  }
  registry.checkDependencies();

  if (issues.errors.length > 0) return failure(issues);
  return { ok: true, config: { file: src.file, daemon, programs: registry.programs }, warnings: inReadingOrder(issues.warnings) };
}

function failure(issues: IssueList): LoadResult {
  return { ok: false, errors: inReadingOrder(issues.errors), warnings: inReadingOrder(issues.warnings) };
}

/** The top-level entries of a file; an empty file has none. */
function rootFields(src: SourceFile, valid: readonly string[], unknown: (key: string) => string): Map<string, Field> {
  const root = deref(src, src.doc.contents);
  const fields = new Map<string, Field>();
  if (isNull(root)) return fields;
  if (root === null || !isMap(root)) {
    src.scope.error(posOf(src, src.doc.contents), null, expected(`a map with keys ${valid.join(', ')}`, root));
    return fields;
  }
  for (const f of fieldsOf(src, src.scope, root)) {
    if (valid.includes(f.name)) fields.set(f.name, f);
    else src.scope.error(f.keyAt, f.name, unknown(f.name));
  }
  return fields;
}

function includedKeyMessage(key: string): string {
  const hint = (TOP_KEYS as readonly string[]).includes(key) ? null : didYouMean(key, INCLUDE_KEYS);
  return `an included file may hold only "programs:", got key "${key}"${hint === null ? '' : ` (${hint})`}`;
}
