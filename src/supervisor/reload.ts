// Applying a new config to a running supervisor: stop what was removed or
// changed in a way that needs a restart, update the rest in place, then
// start what is new. Programs that did not change are not touched: their
// pids stay the same.
import { diffPrograms } from '../config/diff';
import type { ProgramConfig } from '../config/types';
import { processNames } from '../core/names';
import { create } from '@bufbuild/protobuf';
import { type ReloadResponse, ReloadResponseSchema } from '../gen/taskmaster/v1/control_pb';
import { startAll, stopAll } from './actions';
import { policyOf, type Slot } from './slot';
import type { Supervisor } from './supervisor';

export async function applyPrograms(sup: Supervisor, old: ProgramConfig[], next: ProgramConfig[]): Promise<ReloadResponse> {
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
  for (const { next: program } of diff.inPlace) {
    const kept = slotsOf(program.name);
    for (const slot of kept) sup.updateProgram(slot, program, policyOf(program));
    const keptIndexes = new Set(kept.map((s) => s.index));
    const missing = Array.from({ length: program.numprocs }, (_, i) => i).filter((i) => !keptIndexes.has(i));
    if (missing.length > 0) arriving.push(...sup.addProgram(program, missing));
  }
  for (const program of [...diff.added, ...diff.restart.map((r) => r.next)]) {
    arriving.push(...sup.addProgram(program));
  }
  // Not awaited: reload answers once the new processes are launched, not
  // after their starttime; `status` shows them come up.
  void startAll(sup, arriving.filter((s) => s.program.autostart), true);

  return create(ReloadResponseSchema, {
    added: diff.added.map((p) => p.name),
    removed: diff.removed.map((p) => p.name),
    restarted: diff.restart.map((r) => r.next.name),
    updated: diff.inPlace.map((r) => r.next.name),
    unchanged: diff.unchanged.map((p) => p.name),
  });
}
