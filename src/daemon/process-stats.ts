// DaemonControl.processStats: the running slots' groups sampled from /proc
// (src/stats), on demand only. In the cgroup mode the kernel's own counts
// of the instance's cgroup replace the estimates where it has them: CPU
// time (cpu.stat), memory (memory.current: what is charged to the cgroup,
// page cache included; memory.peak, its most) and the number of processes (pids.current) — the
// whole tree, a setsid'd grandchild that left the process group included.
import type { ProcessStats } from '../gen/taskmaster/v1/control_pb';
import { clockTicksPerSecond, scanGroups } from '../stats/proc-reader';
import { ProcessSampler, type SampleTarget } from '../stats/sampler';
import type { CgroupEdge } from '../supervisor/cgroup-edge';
import type { SupervisorLog } from '../supervisor/log';
import type { Slot } from '../supervisor/slot';
import { type CpuReading, cpuPercentSince } from './cgroup-cpu';

export function processStatsOf(now: () => number, log: SupervisorLog, cgroups?: CgroupEdge): (slots: readonly Slot[]) => Promise<ReadonlyMap<string, ProcessStats>> {
  let warned = false;
  const sampler = new ProcessSampler({
    scan: scanGroups,
    now,
    clockTicksPerSecond: async () => {
      const { ticks, guessed } = await clockTicksPerSecond();
      if (guessed !== null && !warned) log.warn({}, guessed);
      warned = true;
      return ticks;
    },
    // The integration tests read this line to see that an idle daemon reads nothing of /proc.
    scanned: (targets, members) => log.debug({ targets, members }, `stats: read /proc for ${targets} processes (${members} group members)`),
  });
  // By cgroup directory: the last CPU reading, for the next one's percentage.
  const lastCpu = new Map<string, CpuReading>();
  return async (slots) => {
    const stats = await sampler.sample(slots.flatMap(targetOf));
    if (cgroups === undefined) return stats;
    for (const slot of slots) {
      const s = stats.get(slot.name);
      const state = slot.rec.state;
      if (s === undefined || slot.cgroup === null || !('spawnedAt' in state)) continue;
      const read = cgroups.stats(slot.cgroup);
      if (read.cpuUsec !== null) {
        const reading = { usec: read.cpuUsec, atMs: now() };
        const last = lastCpu.get(slot.cgroup);
        s.cpuSeconds = read.cpuUsec / 1e6;
        s.cpuPercent = cpuPercentSince(last !== undefined && last.atMs >= state.spawnedAt ? last : { usec: 0, atMs: state.spawnedAt }, reading);
        lastCpu.set(slot.cgroup, reading);
      }
      if (read.memoryBytes !== null) s.rssBytes = BigInt(read.memoryBytes);
      if (read.memoryPeakBytes !== null) s.memoryPeakBytes = BigInt(read.memoryPeakBytes);
      if (read.pids !== null) s.processes = read.pids;
    }
    return stats;
  };
}

/** A slot with a live child is a group to sample: the child leads it (pgid = pid). */
function targetOf(slot: Slot): SampleTarget[] {
  const state = slot.rec.state;
  if (!('spawnedAt' in state) || state.pid === null) return [];
  return [{ name: slot.name, pgid: state.pid, spawnedAtMs: state.spawnedAt }];
}
