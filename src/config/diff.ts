// What a reload must do: programs matched by name, and for changed ones
// whether the running processes can keep going with new settings (in place)
// or must be restarted because what was exec'd would differ.
import { PROGRAM_FIELDS, PROGRAM_KEYS } from './program-fields';
import type { DaemonSettings, ProgramConfig } from './types';

export interface ProgramDiff {
  added: ProgramConfig[];
  removed: ProgramConfig[];
  restart: { old: ProgramConfig; next: ProgramConfig }[];
  inPlace: { old: ProgramConfig; next: ProgramConfig }[];
  unchanged: ProgramConfig[];
}

/** The settings a reload applies to running processes (the table's `in-place`
 *  ones); any other change, cmd's split argv included, needs a restart. */
export const IN_PLACE_FIELDS: ReadonlySet<keyof ProgramConfig> = new Set(PROGRAM_KEYS.filter((k) => PROGRAM_FIELDS[k].onChange === 'in-place'));

export function diffPrograms(old: readonly ProgramConfig[], next: readonly ProgramConfig[]): ProgramDiff {
  const diff: ProgramDiff = { added: [], removed: [], restart: [], inPlace: [], unchanged: [] };
  const oldByName = new Map(old.map((p) => [p.name, p]));
  const nextNames = new Set(next.map((p) => p.name));
  for (const p of old) if (!nextNames.has(p.name)) diff.removed.push(p);
  for (const n of next) {
    const o = oldByName.get(n.name);
    if (o === undefined) {
      diff.added.push(n);
      continue;
    }
    const changed = changedFields(o, n);
    if (changed.length === 0) diff.unchanged.push(n);
    else if (changed.every((k) => IN_PLACE_FIELDS.has(k))) diff.inPlace.push({ old: o, next: n });
    else diff.restart.push({ old: o, next: n });
  }
  return diff;
}

export function changedFields(a: ProgramConfig, b: ProgramConfig): (keyof ProgramConfig)[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof ProgramConfig>;
  return [...keys].filter((k) => !sameValue(a[k], b[k]));
}

export function diffDaemon(old: DaemonSettings, next: DaemonSettings): (keyof DaemonSettings)[] {
  const keys = new Set([...Object.keys(old), ...Object.keys(next)]) as Set<keyof DaemonSettings>;
  return [...keys].filter((k) => !sameValue(old[k], next[k]));
}

/** Structural equality for config values: primitives, arrays, plain objects.
 *  Object key order is ignored (env written in another order is the same env). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && sameValue(ra[k], rb[k]));
}
