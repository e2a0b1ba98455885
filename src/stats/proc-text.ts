// What /proc says of one process, read from its text: /proc/PID/stat and
// /proc/PID/smaps_rollup (proc(5)). Pure: the edge (proc-reader.ts) hands in
// the text, tests hand in recorded text.

/** The fields of /proc/PID/stat that the stats use. */
export interface ProcStat {
  pid: number;
  /** One letter: R S D Z T … (Z: a zombie, already dead). */
  state: string;
  pgrp: number;
  /** utime + stime + cutime + cstime, in clock ticks (see cpuTicks below). */
  cpuTicks: number;
  threads: number;
}

/**
 * Reads /proc/PID/stat; null when the text is not one (a process that ended
 * mid-read leaves an empty file). The command name (field 2) is in
 * parentheses and may itself hold spaces and parentheses: the fields are
 * counted from the last ')'.
 */
export function parseStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  // rest[0] is field 3 (state): field N is rest[N - 3].
  const rest = text.slice(close + 2).trim().split(' ');
  if (rest.length < 18) return null;
  const field = (n: number): number => Number(rest[n - 3]);
  // cutime and cstime (fields 16, 17) hold the CPU time of children that ended
  // and were waited for: a shell script's short commands. Without them a
  // program's CPU seconds would drop each time a member of its group exits.
  const cpuTicks = field(14) + field(15) + field(16) + field(17);
  const stat: ProcStat = { pid, state: rest[0] ?? '?', pgrp: field(5), cpuTicks, threads: field(20) };
  return Number.isInteger(pid) && Number.isFinite(cpuTicks) && Number.isInteger(stat.pgrp) ? stat : null;
}

/** Resident and private memory, in bytes. */
export interface ProcMemory {
  rss: number;
  /** Private_Clean + Private_Dirty + Private_Hugetlb: the USS, what ending the process gives back. */
  uss: number;
}

/**
 * Reads /proc/PID/smaps_rollup (Linux ≥ 4.14): its sizes are in kB whatever
 * the page size (4, 16 or 64 KiB on arm64), so no page size is needed. A
 * zombie's file is empty: zero.
 */
export function parseSmapsRollup(text: string): ProcMemory {
  let rss = 0;
  let uss = 0;
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d+) kB/.exec(line);
    if (!m) continue;
    const bytes = Number(m[2]) * 1024;
    if (m[1] === 'Rss') rss = bytes;
    else if (m[1] === 'Private_Clean' || m[1] === 'Private_Dirty' || m[1] === 'Private_Hugetlb') uss += bytes;
  }
  return { rss, uss };
}
