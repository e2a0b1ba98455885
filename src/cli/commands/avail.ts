// avail, as supervisorctl users type it: the programs of the config file,
// each "in use" (the daemon runs it) or "avail" (only in the file: the next
// reload adds it), with what the next reload would do to it. It is reload's
// dry run seen program by program.
import type { ReloadResponse } from '../../gen/taskmaster/v1/control_pb';
import { EXIT } from '../exit-codes';
import type { Command } from './types';

/** What the next reload does to a program: nothing, or one of these. */
type Pending = 'add' | 'restart' | 'update' | 'remove' | null;

interface Avail {
  name: string;
  in_use: boolean;
  /** In the config file; false for a program that runs and the file no longer has. */
  in_config: boolean;
  pending: Pending;
}

const PENDING_TEXT: Record<Exclude<Pending, null>, string> = {
  add: 'reload adds it',
  restart: 'changed: reload restarts it',
  update: 'changed: reload applies it in place',
  remove: 'not in the config: reload removes it',
};

export function availList(diff: ReloadResponse): Avail[] {
  const rows: Avail[] = [
    ...diff.added.map((name) => ({ name, in_use: false, in_config: true, pending: 'add' as const })),
    ...diff.restarted.map((name) => ({ name, in_use: true, in_config: true, pending: 'restart' as const })),
    ...diff.updated.map((name) => ({ name, in_use: true, in_config: true, pending: 'update' as const })),
    ...diff.unchanged.map((name) => ({ name, in_use: true, in_config: true, pending: null })),
    ...diff.removed.map((name) => ({ name, in_use: true, in_config: false, pending: 'remove' as const })),
  ];
  return rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function availText(rows: readonly Avail[]): string {
  if (rows.length === 0) return 'no programs';
  const width = Math.max(...rows.map((r) => r.name.length)) + 2;
  return rows.map((r) => `${r.name.padEnd(width)}${(r.in_use ? 'in use' : 'avail').padEnd(8)}${r.pending === null ? '' : PENDING_TEXT[r.pending]}`.trimEnd()).join('\n');
}

export const avail: Command = {
  name: 'avail',
  usage: 'avail',
  summary: 'list the programs of the config file, in use or available',
  positionals: [],
  async run(_args, ctx) {
    const rows = availList(await (await ctx.caller()).call('reload', { dryRun: true }));
    ctx.emit(rows, availText(rows));
    return EXIT.OK;
  },
};
