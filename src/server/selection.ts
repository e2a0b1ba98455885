// Which processes a request's names select, as every command that takes
// names reads them: `prog`, `prog:N`, `prog:*`, `all`; unknown names are
// ENOPROGRAM, listed (bounded) as the client wrote them.
import { selectProcesses } from '../core/names';
import { shown, TaskmasterError } from '../protocol/errors';
import type { Slot } from '../supervisor/slot';
import type { DaemonControl } from './control';

export function select(ctl: DaemonControl, patterns: string[]): Slot[] {
  // One process named exactly (`status web:3`): looked up, not matched
  // against every process — among 10,000 that is the whole cost of the call.
  const exact = patterns.length === 1 ? singleProcess(ctl, patterns[0] as string) : null;
  if (exact !== null) return [exact];
  const all = ctl.supervisor.list();
  const found = selectProcesses(patterns, all.map((s) => ({ name: s.name, program: s.program.name })));
  if (!found.ok) throw new TaskmasterError('ENOPROGRAM', `no such process: ${listed(found.unknown)}`);
  return found.names.map((n) => ctl.supervisor.get(n) as Slot);
}

/**
 * The slot a pattern names when it can name no other: not `all` nor `prog:*`,
 * and no program of that name with several instances (those are `prog:N`, so
 * a process named `prog` is the program's only one).
 */
function singleProcess(ctl: DaemonControl, pattern: string): Slot | null {
  if (pattern === 'all' || pattern.endsWith(':*')) return null;
  return ctl.supervisor.get(pattern) ?? null;
}

/** Names as the client wrote them, bounded: a request may hold 100,000 of them. */
function listed(names: string[]): string {
  const SHOWN_NAMES = 10;
  const some = names.slice(0, SHOWN_NAMES).map((n) => (/^[\w.:*-]{1,80}$/.test(n) ? n : shown(n)));
  return names.length > SHOWN_NAMES ? `${some.join(', ')} and ${names.length - SHOWN_NAMES} more` : some.join(', ');
}

export function needNames(names: string[], cmd: string): void {
  if (names.length === 0) throw new TaskmasterError('EBADREQUEST', `${cmd} needs at least one name (or "all")`);
}

/**
 * Whole groups (`all`, `prog:*`, or `prog` with numprocs > 1) skip members
 * already in the asked-for state, as supervisord does; a single process
 * named on its own reports it.
 */
export function namesGroups(ctl: DaemonControl, names: string[]): boolean {
  return names.some((n) => {
    if (n === 'all' || n.endsWith(':*')) return true;
    if (n.includes(':') || singleProcess(ctl, n) !== null) return false;
    return ctl.supervisor.list().filter((s) => s.program.name === n).length > 1;
  });
}

export function one(ctl: DaemonControl, name: string): Slot {
  const slots = select(ctl, [name]);
  if (slots.length !== 1) {
    throw new TaskmasterError('ENOPROGRAM', `${shown(name)} names ${slots.length} processes (${slots.map((s) => s.name).join(', ')}); name one`);
  }
  return slots[0] as Slot;
}
