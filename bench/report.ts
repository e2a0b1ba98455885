// The table: one row per metric, medians with their min–max over the runs,
// and the same-run ratios to the limit (or to supervisord where there is none).
import type { Summary } from './lib/stats';
import type { Metric, Workload } from './workloads/types';
import type { Column, WorkloadResult } from './results';

const fmt = (x: number, digits: number): string =>
  Math.abs(x) >= 1e6 ? x.toExponential(2) : x.toFixed(digits);

function cell(s: Summary | null | undefined, m: Metric, unit: boolean): string {
  if (s === undefined) return '';
  if (s === null) return 'n/a';
  const u = unit && m.unit ? ` ${m.unit}` : '';
  const range = s.min === s.max ? '' : ` (${fmt(s.min, m.digits)}–${fmt(s.max, m.digits)})`;
  return `${fmt(s.median, m.digits)}${u}${range}`;
}

// Two decimals, or two significant digits for ratios far below 1 (throughput against an echo server).
const r2 = (x: number): string => (Math.abs(x) < 0.1 ? x.toPrecision(2) : x.toFixed(2));
const ratioCell = (s: Summary | null | undefined): string =>
  s === undefined ? '' : s === null ? 'n/a' : `${r2(s.median)}×${s.min === s.max ? '' : ` (${r2(s.min)}–${r2(s.max)})`}`;

export function table(workloads: Workload[], results: Record<string, WorkloadResult>, title: (w: Workload) => string): string {
  const cols: Column[] = ['taskmaster', 'supervisord', 'pm2'];
  const head = ['workload', 'metric', 'taskmaster', 'supervisord', 'PM2', 'limit', 'ratio to', 'taskmaster ÷', 'supervisord ÷', 'PM2 ÷', 'target', 'met'];
  const rows = [head, head.map(() => '---')];
  for (const w of workloads) {
    const r = results[w.name];
    if (!r) continue;
    for (const m of w.metrics) {
      const mr = r.metrics[m.key]!;
      rows.push([
        title(w),
        m.label,
        ...cols.map((c) => cell(mr.values[c], m, true)),
        cell(mr.values.limit, m, true) || '—',
        mr.ratio_to ?? '',
        ...cols.map((c) => ratioCell(mr.ratios[c])),
        mr.target ?? '',
        mr.met === null ? '' : mr.met ? 'yes' : '**no**',
      ]);
    }
  }
  return rows.map((r) => `| ${r.join(' | ')} |`).join('\n') + '\n';
}
