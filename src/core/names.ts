// Process naming, as supervisord does it: with numprocs 1 the process is
// named after its program; with N > 1 its instances are NAME:0 … NAME:N-1.
// On the command line NAME and NAME:* address every instance; `all`, all.

export interface NamedProcess {
  name: string;
  program: string;
}

export function processNames(program: string, numprocs: number): string[] {
  if (numprocs === 1) return [program];
  return Array.from({ length: numprocs }, (_, i) => `${program}:${i}`);
}

export type Selection = { ok: true; names: string[] } | { ok: false; unknown: string[] };

/**
 * Expands patterns into process names, in the order of `all`, without
 * duplicates. Unknown patterns are reported together so one mistake does
 * not hide another.
 */
export function selectProcesses(patterns: readonly string[], all: readonly NamedProcess[]): Selection {
  const chosen = new Set<string>();
  const unknown: string[] = [];
  for (const pattern of patterns) {
    const matches = matchPattern(pattern, all);
    if (matches.length === 0) unknown.push(pattern);
    for (const m of matches) chosen.add(m);
  }
  if (unknown.length > 0) return { ok: false, unknown };
  return { ok: true, names: all.filter((p) => chosen.has(p.name)).map((p) => p.name) };
}

function matchPattern(pattern: string, all: readonly NamedProcess[]): string[] {
  if (pattern === 'all') return all.map((p) => p.name);
  const program = pattern.endsWith(':*') ? pattern.slice(0, -2) : pattern;
  const byProgram = all.filter((p) => p.program === program).map((p) => p.name);
  if (byProgram.length > 0 && (pattern.endsWith(':*') || !pattern.includes(':'))) return byProgram;
  return all.filter((p) => p.name === pattern).map((p) => p.name);
}
