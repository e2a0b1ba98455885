// The duration syntax of the config (fields.ts readDuration) and of the CLI
// (`token create --expires 30d`), in one place: number-unit pairs with units
// ms, s, m, h, d ("90s", "1h30m", "30d"). Pure, so the CLI loads no YAML.
const DURATION_UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

export const DURATION_SYNTAX = 'number-unit pairs with units ms, s, m, h, d (e.g. 90s, 1h30m, 30d)';

/** Seconds, or null when `text` is not number-unit pairs. */
export function durationSeconds(text: string): number | null {
  const t = text.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(t)) return null;
  let seconds = 0;
  for (const [, n, , unit] of t.matchAll(/(\d+(\.\d+)?)(ms|s|m|h|d)/g)) seconds += Number(n) * DURATION_UNITS[unit!]!;
  return Number.isFinite(seconds) ? seconds : null;
}
