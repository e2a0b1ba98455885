// DaemonControl.processStats: the running slots' groups sampled from /proc
// (src/stats), on demand only.
import type { ProcessStats } from '../gen/taskmaster/v1/control_pb';
import { clockTicksPerSecond, scanGroups } from '../stats/proc-reader';
import { ProcessSampler, type SampleTarget } from '../stats/sampler';
import type { SupervisorLog } from '../supervisor/log';
import type { Slot } from '../supervisor/slot';

export function processStatsOf(now: () => number, log: SupervisorLog): (slots: readonly Slot[]) => Promise<ReadonlyMap<string, ProcessStats>> {
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
  return (slots) => sampler.sample(slots.flatMap(targetOf));
}

/** A slot with a live child is a group to sample: the child leads it (pgid = pid). */
function targetOf(slot: Slot): SampleTarget[] {
  const state = slot.rec.state;
  if (!('spawnedAt' in state) || state.pid === null) return [];
  return [{ name: slot.name, pgid: state.pid, spawnedAtMs: state.spawnedAt }];
}
