// What `top` draws, as a pure function: the processes, the terminal's size
// and the sort order in, the screen's lines out (each at most `width`
// characters, at most `height` of them). No terminal here: top-run.ts puts
// the lines on one, and the tests read them.
import { ProcessState, type ProcessStatus } from '../../gen/taskmaster/v1/control_pb';
import { layoutRow, LONG_COLUMNS, NAME_MIN_WIDTH } from '../stats-columns';

export type TopSort = 'cpu' | 'memory' | 'restarts';

/** The keys that choose the order, as the header line shows them. */
export const SORT_KEYS: Readonly<Record<string, TopSort>> = { c: 'cpu', m: 'memory', r: 'restarts' };

export interface TopView {
  rows: readonly ProcessStatus[];
  width: number;
  height: number;
  sort: TopSort;
  /** When the daemon took the reading; null before the first. */
  at: Date | null;
}

// A long name gives way to the columns, down to this.
const NAME_MAX_WIDTH = 24;
// Title, keys, a blank line and the column headings.
const HEADER_LINES = 4;

function descending(key: (p: ProcessStatus) => number): (a: ProcessStatus, b: ProcessStatus) => number {
  return (a, b) => key(b) - key(a) || a.name.localeCompare(b.name);
}

// Processes that do not run have no stats: under the cpu and memory orders they come last.
const ORDERS: Readonly<Record<TopSort, (a: ProcessStatus, b: ProcessStatus) => number>> = {
  cpu: descending((p) => p.stats?.cpuPercent ?? -1),
  memory: descending((p) => (p.stats ? Number(p.stats.ussBytes) : -1)),
  restarts: descending((p) => p.restarts),
};

export function sortRows(rows: readonly ProcessStatus[], sort: TopSort): ProcessStatus[] {
  return [...rows].sort(ORDERS[sort]);
}

const pad = (n: number): string => String(n).padStart(2, '0');

function fit(line: string, width: number): string {
  return line.length <= width ? line : line.slice(0, Math.max(0, width));
}

function shortName(name: string, width: number): string {
  return name.length <= width ? name : `${name.slice(0, width - 1)}…`;
}

export function renderTop(view: TopView): string[] {
  const { width, height } = view;
  const running = view.rows.filter((p) => p.state === ProcessState.RUNNING).length;
  const clock = view.at === null ? 'waiting for taskmasterd…' : `${pad(view.at.getHours())}:${pad(view.at.getMinutes())}:${pad(view.at.getSeconds())}`;
  const keys = Object.entries(SORT_KEYS).map(([key, sort]) => `${key} ${sort}`);
  const nameWidth = Math.min(NAME_MAX_WIDTH, Math.max(NAME_MIN_WIDTH, ...view.rows.map((r) => r.name.length)));
  const lines = [
    `taskmaster top  ${clock}  ${view.rows.length} processes, ${running} running`,
    `sort: ${view.sort}   keys: ${keys.join('  ')}  q quit`,
    '',
    layoutRow('NAME', LONG_COLUMNS.map((c) => c.heading), nameWidth),
  ];
  const room = Math.max(0, height - HEADER_LINES);
  const sorted = sortRows(view.rows, view.sort);
  // When they do not all fit, the last line says how many are not shown.
  const shown = sorted.length <= room ? sorted : sorted.slice(0, Math.max(0, room - 1));
  for (const p of shown) lines.push(layoutRow(shortName(p.name, nameWidth), LONG_COLUMNS.map((c) => c.cell(p)), nameWidth));
  if (shown.length < sorted.length && room > 0) lines.push(`… ${sorted.length - shown.length} more (a taller window shows them)`);
  return lines.slice(0, Math.max(0, height)).map((l) => fit(l, width));
}
