// Readers for the cgroup limit settings (memory_max, cpu_max…). The values
// are those of cgroups/limits.ts; whether this host can apply them is
// decided when the config is loaded (load.ts), not here.
import { isScalar } from 'yaml';
import type { ByteLimit } from '../cgroups/limits';
import type { Scope } from './issues';
import { expected, isNull, type Field } from './nodes';

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** What each limit accepts, for the errors of the config and of a job request alike. */
export const PIDS_EXPECTED = 'a number of processes >= 1, or max';
export const IO_WEIGHT_EXPECTED = 'an integer from 1 to 10000';
export const BYTES_EXPECTED = 'a size in bytes > 0 with an optional unit K, M, G or T (e.g. 512M), or max';
export const CPU_EXPECTED = 'a share of one CPU in percent (50%), a number of CPUs (1.5), or max';

/** `512M`, `1G`, `65536`, `max`: a size with K/M/G/T suffix (1024-based), as systemd's MemoryMax=. */
export function parseByteLimit(text: string | number): ByteLimit | null {
  if (typeof text === 'number') return Number.isSafeInteger(text) && text > 0 ? text : null;
  const t = text.trim();
  if (t.toLowerCase() === 'max') return 'max';
  const m = /^(\d+)\s*([kmgt]?)b?$/i.exec(t);
  if (m === null) return null;
  const bytes = Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]!;
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : null;
}

/** `50%` (of one CPU), `1.5` (CPUs), `max`; at least 1 % of a CPU. */
export function parseCpuLimit(text: string | number): number | 'max' | null {
  let cpus: number;
  if (typeof text === 'number') cpus = text;
  else {
    const t = text.trim();
    if (t.toLowerCase() === 'max') return 'max';
    const m = /^(\d+(?:\.\d+)?)\s*(%?)$/.exec(t);
    if (m === null) return null;
    cpus = m[2] === '%' ? Number(m[1]) / 100 : Number(m[1]);
  }
  return Number.isFinite(cpus) && cpus >= 0.01 ? cpus : null;
}

function valueOf(f: Field): string | number | null {
  const v = f.node !== null && isScalar(f.node) ? f.node.value : null;
  return typeof v === 'string' || typeof v === 'number' ? v : null;
}

export function readByteLimit(s: Scope, f: Field): ByteLimit | null | undefined {
  if (isNull(f.node)) return null;
  const v = valueOf(f);
  const bytes = v === null ? null : parseByteLimit(v);
  if (bytes !== null) return bytes;
  s.error(f.at, f.name, expected(BYTES_EXPECTED, f.node));
  return undefined;
}

export function readCpuLimit(s: Scope, f: Field): number | 'max' | null | undefined {
  if (isNull(f.node)) return null;
  const v = valueOf(f);
  const cpus = v === null ? null : parseCpuLimit(v);
  if (cpus !== null) return cpus;
  s.error(f.at, f.name, expected(CPU_EXPECTED, f.node));
  return undefined;
}

/** `100`, `max`: a number of processes >= 1. */
export function parsePidsLimit(text: string | number): number | 'max' | null {
  if (typeof text === 'string' && text.trim().toLowerCase() === 'max') return 'max';
  const n = typeof text === 'number' ? text : /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  return Number.isSafeInteger(n) && n >= 1 ? n : null;
}

/** `100`: io.weight's range, 1 to 10000. */
export function parseIoWeight(text: string | number): number | null {
  const n = typeof text === 'number' ? text : /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  return Number.isSafeInteger(n) && n >= 1 && n <= 10000 ? n : null;
}

export function readPidsLimit(s: Scope, f: Field): number | 'max' | null | undefined {
  if (isNull(f.node)) return null;
  const v = f.node !== null && isScalar(f.node) ? f.node.value : null;
  // YAML's 100 is a number; "100" quoted is a string: only the first is a count here, as before.
  const pids = typeof v === 'number' || (typeof v === 'string' && v.trim().toLowerCase() === 'max') ? parsePidsLimit(v) : null;
  if (pids !== null) return pids;
  s.error(f.at, f.name, expected(PIDS_EXPECTED, f.node));
  return undefined;
}

export function readIoWeight(s: Scope, f: Field): number | null | undefined {
  if (isNull(f.node)) return null;
  const v = f.node !== null && isScalar(f.node) ? f.node.value : null;
  const weight = typeof v === 'number' ? parseIoWeight(v) : null;
  if (weight !== null) return weight;
  s.error(f.at, f.name, expected(IO_WEIGHT_EXPECTED, f.node));
  return undefined;
}

/** How cpu_max reads back in the config's own vocabulary. */
export function showCpu(cpus: number | 'max' | null): string | null {
  if (cpus === null || cpus === 'max') return cpus;
  return `${Math.round(cpus * 10000) / 100}%`;
}
