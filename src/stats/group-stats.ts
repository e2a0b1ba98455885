// A program's resource use from the readings of the members of its process
// group (the daemon starts each program as a group leader, pgid = pid, so
// its children and their children count too). Pure: readings and times in,
// the schema's ProcessStats out.
import { create } from '@bufbuild/protobuf';
import { type ProcessStats, ProcessStatsSchema } from '../gen/taskmaster/v1/control_pb';
import type { ProcMemory, ProcStat } from './proc-text';

/** One member as the edge read it; null where its file was gone or unreadable. */
export interface MemberReading {
  stat: ProcStat;
  memory: ProcMemory | null;
  fds: number | null;
}

/** A group's CPU seconds at a moment (monotonic ms): what cpu_percent is measured from. */
export interface CpuMark {
  cpuSeconds: number;
  atMs: number;
}

/**
 * Sums the members. `since` is the earlier reading the CPU percentage is
 * measured from: the previous sampling of this group, or, for its first,
 * its spawn with zero seconds (the average since it started, as `ps` shows).
 */
export function groupStats(members: readonly MemberReading[], clockTicksPerSecond: number, nowMs: number, since: CpuMark): ProcessStats {
  let ticks = 0;
  let rss = 0;
  let uss = 0;
  let threads = 0;
  let fds = 0;
  for (const m of members) {
    ticks += m.stat.cpuTicks;
    threads += m.stat.threads;
    rss += m.memory?.rss ?? 0;
    uss += m.memory?.uss ?? 0;
    fds += m.fds ?? 0;
  }
  const cpuSeconds = ticks / clockTicksPerSecond;
  return create(ProcessStatsSchema, {
    cpuPercent: cpuPercent(since, { cpuSeconds, atMs: nowMs }),
    cpuSeconds,
    rssBytes: BigInt(rss),
    ussBytes: BigInt(uss),
    threads,
    fds,
    processes: members.length,
  });
}

/**
 * 100 is one core busy. Never negative: a member that ended without being
 * waited for by another member takes its CPU seconds out of the sum.
 */
export function cpuPercent(from: CpuMark, to: CpuMark): number {
  const seconds = (to.atMs - from.atMs) / 1000;
  if (seconds <= 0) return 0;
  return Math.max(0, ((to.cpuSeconds - from.cpuSeconds) / seconds) * 100);
}
