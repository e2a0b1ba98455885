// Applying a new config to a running supervisor: stop what was removed or
// changed in a way that needs a restart, update the rest in place, then
// start what is new. Programs that did not change are not touched: their
// pids stay the same.
import { diffPrograms, type ProgramDiff } from '../config/diff';
import { programHash } from '../config/program-hash';
import type { ProgramConfig } from '../config/types';
import { processNames } from '../core/names';
import { create } from '@bufbuild/protobuf';
import { type ReloadResponse, ReloadResponseSchema } from '../gen/taskmaster/v1/control_pb';
import { startAll, stopAll } from './actions';
import { policyOf, type Slot } from './slot';
import type { Supervisor } from './supervisor';

/**
 * `remembered`: at the daemon's start, the processes an earlier daemon had
 * stopped by hand, with their program's config hash then; those whose config
 * is still the same are not autostarted.
 */
export async function applyPrograms(sup: Supervisor, old: ProgramConfig[], next: ProgramConfig[], remembered: ReadonlyMap<string, string> = new Map()): Promise<ReloadResponse> {
  const diff = diffPrograms(old, next);
  sup.forgetAccounts();

  const slotsOf = (program: string): Slot[] => sup.list().filter((s) => s.program.name === program);
  const leaving: Slot[] = [
    ...diff.removed.flatMap((p) => slotsOf(p.name)),
    ...diff.restart.flatMap(({ old: o }) => slotsOf(o.name)),
    // numprocs changed: instances whose name is no longer in the new set go
    // (1 → 2 renames `web` to `web:0`, `web:1`).
    ...diff.inPlace.flatMap(({ next: n }) => {
      const names = new Set(processNames(n.name, n.numprocs));
      return slotsOf(n.name).filter((s) => !names.has(s.name));
    }),
  ];
  await stopAll(sup, leaving, true);
  for (const slot of leaving) sup.removeSlot(slot);

  const arriving: Slot[] = [];
  // Stopped by hand under a config that has changed since: forgotten, and autostarted as a new one would be.
  const released: Slot[] = [];
  for (const { next: program } of diff.inPlace) {
    const kept = slotsOf(program.name);
    for (const slot of kept) sup.updateProgram(slot, program, policyOf(program));
    released.push(...kept.filter((s) => s.stoppedByHand));
    const keptIndexes = new Set(kept.map((s) => s.index));
    const missing = Array.from({ length: program.numprocs }, (_, i) => i).filter((i) => !keptIndexes.has(i));
    if (missing.length > 0) arriving.push(...sup.addProgram(program, missing));
  }
  for (const program of [...diff.added, ...diff.restart.map((r) => r.next)]) {
    arriving.push(...sup.addProgram(program));
  }
  // Not awaited: reload answers once the new processes are launched, not
  // after their starttime; `status` shows them come up.
  sup.setStoppedByHand(released, false);
  if (remembered.size > 0) sup.setStoppedByHand(arriving.filter((s) => remembered.get(s.name) === programHash(s.program)), true);
  void startAll(sup, [...arriving, ...released].filter((s) => s.program.autostart && !s.stoppedByHand), true);

  return reloadResponseOf(diff);
}

/** What a reload did (or, as a dry run, would do) to each program. */
export function reloadResponseOf(diff: ProgramDiff): ReloadResponse {
  return create(ReloadResponseSchema, {
    added: diff.added.map((p) => p.name),
    removed: diff.removed.map((p) => p.name),
    restarted: diff.restart.map((r) => r.next.name),
    updated: diff.inPlace.map((r) => r.next.name),
    unchanged: diff.unchanged.map((p) => p.name),
  });
}
