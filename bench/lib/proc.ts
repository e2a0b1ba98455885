// What /proc says about a daemon: its CPU time (utime+stime of every thread,
// which /proc/PID/stat sums) and RSS, plus those of its helper processes:
// descendants that are not the supervised programs (nor below them).
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

/** CPU seconds (user + system, all threads) used so far by this process; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  return (readStat(pid)?.cpuTicks ?? 0) / CLK_TCK;
}

/** Resident set size of these processes together, in MiB: all of it, or its anonymous part (heap, stacks; not pages of files). */
export function rssMiB(pids: number[], part: 'VmRSS' | 'RssAnon' = 'VmRSS'): number {
  let kb = 0;
  const field = new RegExp(`${part}:\\s+(\\d+) kB`);
  for (const p of pids) {
    try {
      const m = field.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      kb += m ? Number(m[1]) : 0;
    } catch {
      // exited meanwhile
    }
  }
  return kb / 1024;
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
