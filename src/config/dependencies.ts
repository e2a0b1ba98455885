// `depends_on`: reading the list, and checking the whole graph once every
// file (includes too) has been read — a name may point into another file, so
// neither an unknown name nor a cycle can be seen from one program alone.
// Each error is placed at the list entry that makes it, as the other keys'.
import { isMap, isScalar, isSeq } from 'yaml';
import type { Pos, Scope } from './issues';
import { deref, expected, posOf, sourceText, type Field, type YamlValue } from './nodes';
import type { SourceFile } from './source';
import { didYouMean } from './suggest';

const KEY = 'depends_on';

/** A list of program names; one name alone is read as a list of one. */
export function readDependsOn(src: SourceFile, s: Scope, f: Field): string[] | undefined {
  if (f.node !== null && isScalar(f.node) && typeof f.node.value === 'string' && f.node.value !== '') return [f.node.value];
  if (f.node === null || !isSeq(f.node)) {
    s.error(f.at, f.name, expected('a list of program names, e.g. [db, cache]', f.node));
    return undefined;
  }
  const names: string[] = [];
  let ok = true;
  f.node.items.forEach((item, i) => {
    const node = deref(src, item);
    const key = `${f.name}[${i}]`;
    if (node === null || !isScalar(node) || typeof node.value !== 'string' || node.value === '') {
      s.error(posOf(src, item), key, expected('a program name', node));
      ok = false;
    } else if (names.includes(node.value)) {
      s.error(posOf(src, item), key, `"${node.value}" is listed twice`);
      ok = false;
    } else names.push(node.value);
  });
  return ok ? names : undefined;
}

/** Where one program's depends_on entries are written, for errors found across programs. */
export interface DependencySite {
  scope: Scope;
  /** The position of each entry, in list order (one for a lone name). */
  entries: Pos[];
}

/** The site of a program's depends_on in its map, or null when it has none. */
export function dependencySite(src: SourceFile, scope: Scope, program: YamlValue | null): DependencySite | null {
  if (program === null || !isMap(program)) return null;
  for (const pair of program.items) {
    const key = deref(src, pair.key);
    if (key === null || !isScalar(key) || sourceText(key) !== KEY) continue;
    const value = deref(src, pair.value);
    if (value === null) return null;
    return { scope, entries: isSeq(value) ? value.items.map((item) => posOf(src, item)) : [posOf(src, value)] };
  }
  return null;
}

interface Program {
  name: string;
  depends_on: readonly string[];
}

/**
 * Reports every name that is no program, and every cycle, naming it in
 * order ("web → api → web") at the entry of its first program (in config
 * order) that leads on into it.
 */
export function checkDependencies(programs: readonly Program[], sites: ReadonlyMap<string, DependencySite>): void {
  const byName = new Map(programs.map((p) => [p.name, p]));
  const names = [...byName.keys()];
  const report = (from: string, to: string, message: string) => {
    const site = sites.get(from);
    const index = byName.get(from)?.depends_on.indexOf(to) ?? -1;
    if (site === undefined || index < 0) return; // no site: the program was refused already
    site.scope.error(site.entries[index] ?? site.entries[0]!, `${KEY}[${index}]`, message);
  };
  for (const p of programs) {
    for (const dep of p.depends_on) {
      if (byName.has(dep)) continue;
      const hint = didYouMean(dep, names);
      report(p.name, dep, `no program named "${dep}"${hint === null ? ' is defined (in this file or an include)' : `; ${hint}`}`);
    }
  }
  const rank = new Map(names.map((n, i) => [n, i]));
  for (const cycle of findCycles(programs, byName)) {
    // Rotated to begin at its first program in config order, so that the
    // error lands in the same place whichever program the search began at.
    const first = cycle.reduce((best, n, i) => (rank.get(n)! < rank.get(cycle[best]!)! ? i : best), 0);
    const ordered = [...cycle.slice(first), ...cycle.slice(0, first)];
    const shown = [...ordered, ordered[0]!].join(' → ');
    report(ordered[0]!, ordered[1] ?? ordered[0]!, `depends_on forms a cycle: ${shown}`);
  }
}

/**
 * Each cycle once, as its programs in dependency order. Depth-first without
 * recursion: a chain of 10,000 programs must not overflow the stack.
 */
function findCycles(programs: readonly Program[], byName: ReadonlyMap<string, Program>): string[][] {
  const done = new Set<string>();
  const cycles: string[][] = [];
  for (const root of programs) {
    if (done.has(root.name)) continue;
    const path: string[] = [];
    const onPath = new Set<string>();
    const stack: { name: string; next: number }[] = [{ name: root.name, next: 0 }];
    path.push(root.name);
    onPath.add(root.name);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const deps = byName.get(top.name)?.depends_on ?? [];
      if (top.next >= deps.length) {
        stack.pop();
        path.pop();
        onPath.delete(top.name);
        done.add(top.name);
        continue;
      }
      const dep = deps[top.next++]!;
      if (!byName.has(dep) || done.has(dep)) continue;
      if (onPath.has(dep)) {
        cycles.push(path.slice(path.indexOf(dep)));
        continue;
      }
      stack.push({ name: dep, next: 0 });
      path.push(dep);
      onPath.add(dep);
    }
  }
  return cycles;
}
