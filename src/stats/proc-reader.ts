// The edge of the stats: reads /proc. One pass over /proc/*/stat finds the
// members of every asked-for process group at once (a process's group is
// field 5 of its stat; Linux has no index from a group to its members), then
// only the members' memory and descriptors are read.
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import type { MemberReading } from './group-stats';
import { parseSmapsRollup, parseStat, type ProcMemory } from './proc-text';

export interface ProcScan {
  /** The members of each asked-for group that has any, zombies left out. */
  members: Map<number, MemberReading[]>;
  /** Every process group that had a process in the scan, asked for or not. */
  groups: Set<number>;
}

/**
 * Processes come and go during the pass: a file that vanished (ENOENT, or
 * ESRCH from a process that ended between open and read) or that the daemon
 * may not read (EACCES, EPERM: another user's, after a privilege drop) is
 * skipped. Anything else (EMFILE, say) is the daemon's own trouble: thrown.
 */
const GONE_OR_NOT_OURS = new Set(['ENOENT', 'ESRCH', 'EACCES', 'EPERM']);

async function orNull<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (err) {
    if (GONE_OR_NOT_OURS.has((err as NodeJS.ErrnoException).code ?? '')) return null;
    throw err;
  }
}

const readOrNull = (path: string): Promise<string | null> => orNull(() => readFile(path, 'utf8'));
const countOrNull = (dir: string): Promise<number | null> => orNull(async () => (await readdir(dir)).length);

export async function scanGroups(pgids: ReadonlySet<number>, proc = '/proc'): Promise<ProcScan> {
  const pids = (await readdir(proc)).filter((e) => /^\d+$/.test(e));
  const members = new Map<number, MemberReading[]>();
  const groups = new Set<number>();
  await Promise.all(
    pids.map(async (pid) => {
      const text = await readOrNull(`${proc}/${pid}/stat`);
      const stat = text === null ? null : parseStat(text);
      if (stat === null) return;
      groups.add(stat.pgrp);
      // A zombie has ended: nothing of it is in use but its pid.
      if (!pgids.has(stat.pgrp) || stat.state === 'Z' || stat.state === 'X') return;
      const [rollup, fds] = await Promise.all([readOrNull(`${proc}/${pid}/smaps_rollup`), countOrNull(`${proc}/${pid}/fd`)]);
      const memory: ProcMemory | null = rollup === null ? null : parseSmapsRollup(rollup);
      const list = members.get(stat.pgrp) ?? [];
      list.push({ stat, memory, fds });
      members.set(stat.pgrp, list);
    }),
  );
  return { members, groups };
}

// Linux reports CPU times in USER_HZ ticks, which it exports as sysconf's
// _SC_CLK_TCK. Node has no sysconf, so getconf answers, once. USER_HZ is 100
// on every architecture Linux runs on today; that is the fallback should
// getconf be missing, and the caller is told.
let clockTicks: Promise<{ ticks: number; guessed: string | null }> | null = null;

export function clockTicksPerSecond(): Promise<{ ticks: number; guessed: string | null }> {
  clockTicks ??= new Promise((resolve) => {
    execFile('getconf', ['CLK_TCK'], { timeout: 5000 }, (err, stdout) => {
      const ticks = Number(String(stdout).trim());
      if (err === null && Number.isInteger(ticks) && ticks > 0) resolve({ ticks, guessed: null });
      else resolve({ ticks: 100, guessed: `getconf CLK_TCK failed (${err?.message ?? `answered ${JSON.stringify(stdout)}`}); assuming 100 ticks per second` });
    });
  });
  return clockTicks;
}
