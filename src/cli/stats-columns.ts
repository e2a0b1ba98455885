// The resource columns that `status -l` and `top` show, in one place: their
// headings, widths and how each value is written.
import type { ProcessStatus } from '../gen/taskmaster/v1/control_pb';
import { stateName, timestampMs } from './views';

export interface Column {
  heading: string;
  width: number;
  /** Numbers align right, text left. */
  right: boolean;
  cell: (p: ProcessStatus) => string;
}

const DASH = '-';

/** 512B, 1.5K, 23.4M, 1.2G: binary units, as top and ps write them. */
export function formatBytes(bytes: bigint | number): string {
  const n = Number(bytes);
  const units = ['B', 'K', 'M', 'G', 'T'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${n}B`;
  return `${value >= 100 ? Math.round(value) : value.toFixed(1)}${units[unit]}`;
}

/** CPU time as top's TIME+: 1:02.34 (minutes:seconds.hundredths), or 3h25m beyond 100 hours of minutes. */
export function formatCpuTime(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  if (minutes >= 6000) return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
  return `${minutes}:${(seconds - minutes * 60).toFixed(2).padStart(5, '0')}`;
}

/** 0:00:05, 3:04:05, or 2d3:04:05. */
export function formatUptime(seconds: number): string {
  const days = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const clock = `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return days > 0 ? `${days}d${clock}` : clock;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** How the last run ended and when: `exit 3 12-03 23:50:01`, `SIGKILL 12-03 23:50:01`, or - if it never did. */
export function lastExit(p: ProcessStatus): string {
  if (p.exitedAt === undefined) return DASH;
  const d = new Date(timestampMs(p.exitedAt));
  const when = `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const how = p.exitsignal !== undefined ? p.exitsignal : p.exitcode !== undefined ? `exit ${p.exitcode}` : 'ended';
  return `${how} ${when}`;
}

const stat = (f: (s: NonNullable<ProcessStatus['stats']>) => string) => (p: ProcessStatus) => (p.stats ? f(p.stats) : DASH);

export const NAME_MIN_WIDTH = 4;

/**
 * After the name: every column of the long view. What top sorts by comes
 * first, so that an 80-column terminal still shows it.
 */
export const LONG_COLUMNS: readonly Column[] = [
  { heading: 'STATE', width: 8, right: false, cell: (p) => stateName(p.state) },
  { heading: 'CPU%', width: 6, right: true, cell: stat((s) => s.cpuPercent.toFixed(1)) },
  { heading: 'USS', width: 7, right: true, cell: stat((s) => formatBytes(s.ussBytes)) },
  { heading: 'RSS', width: 7, right: true, cell: stat((s) => formatBytes(s.rssBytes)) },
  // memory.peak of the cgroup mode; - with process groups only.
  { heading: 'PEAK', width: 7, right: true, cell: stat((s) => (s.memoryPeakBytes === undefined ? DASH : formatBytes(s.memoryPeakBytes))) },
  { heading: 'RESTARTS', width: 8, right: true, cell: (p) => String(p.restarts) },
  { heading: 'TIME+', width: 9, right: true, cell: stat((s) => formatCpuTime(s.cpuSeconds)) },
  { heading: 'THR', width: 4, right: true, cell: stat((s) => String(s.threads)) },
  { heading: 'FDS', width: 5, right: true, cell: stat((s) => String(s.fds)) },
  { heading: 'PROCS', width: 5, right: true, cell: stat((s) => String(s.processes)) },
  { heading: 'PID', width: 7, right: true, cell: (p) => (p.pid === undefined ? DASH : String(p.pid)) },
  { heading: 'UPTIME', width: 10, right: true, cell: (p) => (p.uptimeS === undefined ? DASH : formatUptime(p.uptimeS)) },
  { heading: 'LAST EXIT', width: 0, right: false, cell: lastExit },
];

/** One line of cells: the name padded to `nameWidth`, then each column with two blanks before it. */
export function layoutRow(name: string, cells: readonly string[], nameWidth: number): string {
  let line = name.padEnd(nameWidth);
  LONG_COLUMNS.forEach((c, i) => {
    const cell = cells[i] ?? '';
    line += '  ' + (c.right ? cell.padStart(c.width) : cell.padEnd(c.width));
  });
  return line.trimEnd();
}

export function longHeading(nameWidth: number): string {
  return layoutRow('NAME', LONG_COLUMNS.map((c) => c.heading), nameWidth);
}

export function longRow(p: ProcessStatus, nameWidth: number): string {
  return layoutRow(p.name, LONG_COLUMNS.map((c) => c.cell(p)), nameWidth);
}

export function nameWidthOf(rows: readonly ProcessStatus[]): number {
  return Math.max(NAME_MIN_WIDTH, ...rows.map((r) => r.name.length));
}
