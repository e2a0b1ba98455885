// What /proc says about a daemon: its CPU time (per thread, in ns, from
// schedstat) and memory, plus those of its helper processes: descendants
// that are not the supervised programs (nor below them).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

interface Stat {
  pid: number;
  ppid: number;
  state: string;
  cpuTicks: number;
}

function readStat(pid: number): Stat | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may hold spaces and parentheses: the fields start after the last ')'.
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(f[1]), state: f[0]!, cpuTicks: Number(f[11]) + Number(f[12]) };
  } catch {
    return null;
  }
}

function allStats(): Stat[] {
  const out: Stat[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const s = readStat(Number(e));
    if (s) out.push(s);
  }
  return out;
}

/** The daemon and its helpers: `root` and its descendants, less `programs` and their descendants. */
export function daemonTree(root: number, programs: Iterable<number>): number[] {
  const skip = new Set(programs);
  const children = new Map<number, number[]>();
  for (const s of allStats()) {
    const list = children.get(s.ppid) ?? [];
    list.push(s.pid);
    children.set(s.ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.pop()!;
    if (skip.has(pid)) continue;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Descriptors open in these processes, together (one gone meanwhile counts none). */
export function openFds(pids: number[]): number {
  let n = 0;
  for (const pid of pids) {
    try {
      n += readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      // exited between the listing and now
    }
  }
  return n;
}

/** CPU seconds (user + system, all threads) used so far by this process; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  return (readStat(pid)?.cpuTicks ?? 0) / CLK_TCK;
}

/**
 * Nanoseconds on a CPU so far of each thread of these processes, keyed
 * "pid/tid": the first field of /proc/PID/task/TID/schedstat, which the
 * scheduler counts in ns (utime and stime come in clock ticks, 10 ms here,
 * and are split by sampling). A thread or process gone by the time it is
 * read is left out: its time since the last read is not counted.
 */
export function threadCpuNs(pids: number[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const pid of pids) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // exited meanwhile
    }
    for (const tid of tids) {
      try {
        out.set(`${pid}/${tid}`, Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]));
      } catch {
        // the thread exited meanwhile
      }
    }
  }
  return out;
}

/** The ns used between two threadCpuNs readings; a thread new in `after` counts from 0. */
export function cpuNsBetween(before: Map<string, number>, after: Map<string, number>): number {
  let ns = 0;
  for (const [k, v] of after) ns += v - (before.get(k) ?? 0);
  return ns;
}

/**
 * The memory of these processes together, in MiB, from /proc/PID/smaps_rollup:
 * - uss: Private_Clean + Private_Dirty, the pages no other process maps: what
 *   the system gets back when they exit (clean file pages among them, e.g. an
 *   executable no other process runs, go back to the page cache);
 * - pss: Pss, each page divided by the number of processes that map it;
 * - anon: Pss_Anon, the anonymous part of Pss (heap, stacks): memory that only
 *   swap can reclaim. Pss_Anon, not Anonymous: Anonymous counts a page shared
 *   copy-on-write by a daemon and its forked helper in both, so a sum over a
 *   tree counts it twice; Pss_Anon splits it among them, so at most once;
 * - rss: Rss, for information only: it counts in full the shared pages of
 *   libraries and executables, which cost nothing more per process.
 */
export interface Memory {
  uss: number;
  pss: number;
  anon: number;
  rss: number;
}

export function memoryMiB(pids: number[]): Memory {
  const kb: Record<string, number> = {};
  let read = 0;
  for (const p of pids) {
    let text: string;
    try {
      text = readFileSync(`/proc/${p}/smaps_rollup`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    read++;
    for (const m of text.matchAll(/^(\w+):\s+(\d+) kB$/gm)) kb[m[1]!] = (kb[m[1]!] ?? 0) + Number(m[2]);
  }
  if (read === 0) throw new Error(`no smaps_rollup readable for pids ${pids.join(' ')}: all gone`);
  // Pss_Anon is in smaps_rollup from Linux 5.8: without it the figure would be wrong, not missing.
  if (kb.Pss_Anon === undefined) throw new Error('/proc/PID/smaps_rollup has no Pss_Anon (Linux < 5.8): no anonymous figure');
  const mib = (...fields: string[]): number => fields.reduce((n, f) => n + (kb[f] ?? 0), 0) / 1024;
  return { uss: mib('Private_Clean', 'Private_Dirty'), pss: mib('Pss'), anon: mib('Pss_Anon'), rss: mib('Rss') };
}

/** A process is gone once it no longer exists or is a zombie (dead, not yet reaped). */
export function gone(pid: number): boolean {
  const s = readStat(pid);
  return s === null || s.state === 'Z' || s.state === 'X';
}

/** SIGKILL what is left of these processes; for clean-up after a failed run. */
export function killAll(pids: Iterable<number>): void {
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
