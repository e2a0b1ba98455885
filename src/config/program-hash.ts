// A program's config as one short fingerprint, to tell whether it changed
// between two daemon runs (the remembered "stopped by hand" holds only for
// the config it was given under). Keys are sorted at every level, so `env`
// written in another order is the same program, as diff.ts counts it.
import { createHash } from 'node:crypto';
import type { ProgramConfig } from './types';

export function programHash(p: ProgramConfig): string {
  return createHash('sha256').update(canonicalJson(p)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  // undefined (no such value) and null read the same; JSON.stringify(undefined) is not a string.
  return JSON.stringify(value) ?? 'null';
}
