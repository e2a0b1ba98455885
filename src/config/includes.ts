// `include:` globs, resolved against the directory of the file that names
// them. A glob matching nothing is normal (an empty conf.d); a plain path
// matching nothing is likely a typo, so it earns a warning.
import { isScalar, isSeq } from 'yaml';
import { deref, expected, isNull, posOf, type Field } from './nodes';
import type { SourceFile } from './source';

/** The files named by `field` (the `include:` entry), absolute, in a stable
 *  order: patterns as listed, each pattern's matches sorted. */
export function includedFiles(src: SourceFile, field: Field | undefined): string[] {
  if (field === undefined || isNull(field.node)) return [];
  const s = src.scope;
  const items = field.node !== null && isSeq(field.node) ? field.node.items : [field.node];
  const files: string[] = [];
  if (items.length === 0) return files;
  // Loaded when a config has includes, not with the module: tinyglobby,
  // picomatch and fdir stay in the daemon's memory once loaded (~0.2 MiB).
  const { globSync, isDynamicPattern } = require('tinyglobby') as typeof import('tinyglobby');
  items.forEach((item, i) => {
    const node = deref(src, item);
    const key = isSeq(field.node) ? `${field.name}[${i}]` : field.name;
    const at = item === field.node ? field.at : posOf(src, item);
    if (node === null || !isScalar(node) || typeof node.value !== 'string' || node.value.trim() === '') {
      s.error(at, key, expected('a file path or glob (or a list of them)', node));
      return;
    }
    const pattern = node.value;
    let matches: string[];
    try {
      // cwd instead of joining: the directory name may itself hold glob characters.
      matches = globSync(pattern, { cwd: s.dir, absolute: true, expandDirectories: false, onlyFiles: true }).sort();
    } catch (err) {
      // picomatch throws on patterns it refuses (longer than 64 KiB, say); a config mistake, not a crash.
      const excerpt = pattern.length > 80 ? `${pattern.slice(0, 80)}… (${pattern.length} characters)` : pattern;
      s.error(at, key, `cannot use ${JSON.stringify(excerpt)} as a file path or glob: ${(err as Error).message}`);
      return;
    }
    if (matches.length === 0 && !isDynamicPattern(pattern)) {
      s.warn(at, key, `include ${JSON.stringify(pattern)} names no existing file`);
    }
    for (const m of matches) {
      // The main file may match its own conf glob (`*.yaml` beside it).
      if (m !== src.file && !files.includes(m)) files.push(m);
    }
  });
  return files;
}
