// A limit setting (memory_max, cpu_max…) is refused where the host cannot
// apply it, with the reason: a config that asks for a limit and silently
// gets none would be worse than one that does not start.
import { LIMIT_KEYS, type LimitKey } from '../cgroups/limits';
import type { Scope } from './issues';
import type { Field } from './nodes';
import type { ProgramConfig } from './types';

/** Why `key` cannot be applied on this host, or null when it can. */
export type LimitRefusal = (key: LimitKey) => string | null;

export const ALL_LIMITS_APPLY: LimitRefusal = () => null;

/** One error per limit written (null, "not set", is always accepted), at its key. */
export function refuseLimits(s: Scope, p: ProgramConfig, fields: ReadonlyMap<string, Field>, refuse: LimitRefusal): void {
  for (const key of LIMIT_KEYS) {
    const f = fields.get(key);
    if (f === undefined || p[key] === null) continue;
    const why = refuse(key);
    if (why !== null) s.error(f.keyAt, key, `${key} cannot be applied on this host: ${why}`);
  }
}
