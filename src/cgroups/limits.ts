// A program's cgroup limits as values, and how each is written to the
// kernel's files. Pure: the edge (tree.ts) does the writing. The config
// reads the text into these values (config/limit-readers.ts); this module
// is the one home of what each limit needs from the kernel.

/** Bytes, or 'max' for no limit (the kernel's own word). */
export type ByteLimit = number | 'max';

/** Every limit a program may set; null: not set, the kernel's default stands. */
export interface Limits {
  memory_max: ByteLimit | null;
  memory_high: ByteLimit | null;
  /** In CPUs: 0.5 is half of one CPU, 1.5 one and a half; 'max' for none. */
  cpu_max: number | 'max' | null;
  pids_max: number | 'max' | null;
  io_weight: number | null;
}

export type LimitKey = keyof Limits;
export const NO_LIMITS: Limits = { memory_max: null, memory_high: null, cpu_max: null, pids_max: null, io_weight: null };
export const LIMIT_KEYS: readonly LimitKey[] = ['memory_max', 'memory_high', 'cpu_max', 'pids_max', 'io_weight'];

/** A limit's field in the schema's generated messages (JobLimits): memory_max → memoryMax. */
export const limitFieldName = (key: LimitKey): string => key.replace(/_(.)/g, (_, c: string) => c.toUpperCase());

/** The cgroup v2 controller a limit needs enabled in the parent's subtree_control. */
export const CONTROLLER_OF: Record<LimitKey, string> = {
  memory_max: 'memory',
  memory_high: 'memory',
  cpu_max: 'cpu',
  pids_max: 'pids',
  io_weight: 'io',
};

/** The controllers the daemon needs for the cgroup mode (limits, stats, OOM); io is used when present. */
export const REQUIRED_CONTROLLERS: readonly string[] = ['memory', 'cpu', 'pids'];
export const WANTED_CONTROLLERS: readonly string[] = ['memory', 'cpu', 'pids', 'io'];

// The kernel's default period for cpu.max, in microseconds.
export const CPU_PERIOD_USEC = 100_000;

/** The content of cpu.max for a number of CPUs: "quota period". */
export function cpuMaxValue(cpus: number | 'max'): string {
  if (cpus === 'max') return `max ${CPU_PERIOD_USEC}`;
  // The kernel refuses a quota under 1 ms.
  const quota = Math.max(1000, Math.round(cpus * CPU_PERIOD_USEC));
  return `${quota} ${CPU_PERIOD_USEC}`;
}

/** The files to write for the limits that are set, in [file, content] pairs. */
export function limitFiles(limits: Limits): [string, string][] {
  const files: [string, string][] = [];
  const { memory_max, memory_high, cpu_max, pids_max, io_weight } = limits;
  if (memory_high !== null) files.push(['memory.high', String(memory_high)]);
  if (memory_max !== null) files.push(['memory.max', String(memory_max)]);
  if (cpu_max !== null) files.push(['cpu.max', cpuMaxValue(cpu_max)]);
  if (pids_max !== null) files.push(['pids.max', String(pids_max)]);
  if (io_weight !== null) files.push(['io.weight', `default ${io_weight}`]);
  return files;
}

/**
 * The files to write when a reload changes limits in place: each changed
 * one, and a limit no longer set goes back to the kernel's default.
 */
export function changedLimitFiles(old: Limits, next: Limits): [string, string][] {
  const reset: Limits = { memory_max: 'max', memory_high: 'max', cpu_max: 'max', pids_max: 'max', io_weight: 100 };
  const changed = LIMIT_KEYS.filter((k) => old[k] !== next[k]);
  const target = Object.fromEntries(LIMIT_KEYS.map((k) => [k, changed.includes(k) ? (next[k] ?? reset[k]) : null])) as unknown as Limits;
  return limitFiles(target);
}

export function limitsOf(settings: Limits): Limits {
  const { memory_max, memory_high, cpu_max, pids_max, io_weight } = settings;
  return { memory_max, memory_high, cpu_max, pids_max, io_weight };
}

export function hasLimits(limits: Limits): boolean {
  return LIMIT_KEYS.some((k) => limits[k] !== null);
}

/** Bytes as the config would say them: 512M rather than 536870912. */
export function showBytes(value: ByteLimit): string {
  if (value === 'max') return 'max';
  for (const [unit, size] of [['G', 1024 ** 3], ['M', 1024 ** 2], ['K', 1024]] as const) {
    if (value >= size && value % size === 0) return `${value / size}${unit}`;
  }
  return String(value);
}

/**
 * Whether an exit was the OOM killer's doing: memory.events' oom_kill counter
 * rose over the run. The status text names the limit that was hit.
 */
export function oomVerdict(killsAtStart: number, killsAtExit: number, memoryMax: ByteLimit | null): string | null {
  if (killsAtExit <= killsAtStart) return null;
  const limit = memoryMax === null || memoryMax === 'max' ? 'no memory_max' : `memory_max ${showBytes(memoryMax)}`;
  return `killed by the OOM killer (${limit})`;
}
