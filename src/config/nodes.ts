// Walking parsed YAML nodes: map entries with their positions, aliases
// resolved, and a short description of a value for "got …" in messages.
import { isAlias, isMap, isScalar, isSeq, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { NO_POS, type Pos, type Scope } from './issues';
import { positionIn, type SourceFile } from './source';

export type YamlValue = Scalar | YAMLMap | YAMLSeq;

/** One `key: value` entry of a map. */
export interface Field {
  name: string;
  keyAt: Pos;
  node: YamlValue | null; // aliases already resolved; null for an empty value
  at: Pos; // of the value as written; of the key when the value is empty
}

export function posOf(src: SourceFile, node: unknown): Pos {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? positionIn(src.lines, range[0]) : NO_POS;
}

/** Resolves aliases (`*name`) to the node they stand for. */
export function deref(src: SourceFile, node: unknown): YamlValue | null {
  if (isAlias(node)) return node.resolve(src.doc) ?? null;
  if (isScalar(node) || isMap(node) || isSeq(node)) return node;
  return null;
}

/** True for `key:`, `key: ~` and `key: null`. */
export function isNull(node: YamlValue | null): boolean {
  return node === null || (isScalar(node) && node.value === null);
}

/** The scalar's text before type resolution: `022` stays "022", `1.50` stays
 *  "1.50", a quoted "x" is x. This is how umask and env values keep their
 *  meaning as written despite YAML 1.2 reading `022` as 22. */
export function sourceText(node: Scalar): string {
  return node.source ?? String(node.value);
}

export function describe(node: YamlValue | null): string {
  if (node === null) return 'nothing';
  if (isMap(node)) return 'a map';
  if (isSeq(node)) return 'a list';
  if (typeof node.value === 'string') return JSON.stringify(node.value);
  if (node.value === null) return 'null';
  return sourceText(node);
}

export function expected(what: string, node: YamlValue | null): string {
  return `expected ${what}, got ${describe(node)}`;
}

/**
 * The entries of a map, in order. Non-scalar keys are reported and skipped;
 * a repeated key is reported (naming the first) and skipped unless
 * `keepDuplicates`, for callers that report duplicates themselves.
 */
export function fieldsOf(src: SourceFile, scope: Scope, map: YAMLMap, keepDuplicates = false): Field[] {
  const fields: Field[] = [];
  const seen = new Map<string, Pos>();
  for (const pair of map.items) {
    const key = deref(src, pair.key);
    const keyAt = posOf(src, pair.key);
    // A key is taken as written, so `NULL:` or `~:` is a name, not YAML's null.
    const name = key !== null && isScalar(key) && !(key.value === null && sourceText(key) === '') ? sourceText(key) : null;
    if (name === null) {
      scope.error(keyAt, null, expected('a plain key', key));
      continue;
    }
    const first = seen.get(name);
    if (first !== undefined && !keepDuplicates) {
      scope.error(keyAt, name, `key "${name}" appears twice; the first is at line ${first.line}:${first.col}`);
      continue;
    }
    if (first === undefined) seen.set(name, keyAt);
    const node = deref(src, pair.value);
    const empty = node === null || (isScalar(node) && node.value === null && sourceText(node) === '');
    fields.push({ name, keyAt, node, at: empty ? keyAt : posOf(src, pair.value) });
  }
  return fields;
}
