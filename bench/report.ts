// The table: one row per metric, medians with their min–max over the runs
// and the count of samples each is of, and the same-run ratios to the limit
// (or to supervisord where there is none); then every failed sample.
import type { Summary } from './lib/stats';
import type { Metric, Workload } from './workloads/types';
import type { Column, WorkloadResult } from './results';

const fmt = (x: number, digits: number): string =>
  Math.abs(x) >= 1e6 ? x.toExponential(2) : x.toFixed(digits);

/** "3/3"; bold when a sample failed, so that a median of fewer stands out. */
export const countOf = (n: number, runs: number): string => (n < runs ? `**${n}/${runs}**` : `${n}/${runs}`);

/**
 * A value cell: median (min–max) and the samples it is of; with `each`, every
 * sample in run order ("failed" where one did). '' where the column does not
 * measure the metric.
 */
export function valueCell(s: Summary | null | undefined, m: Metric, runs: number): string {
  if (s === undefined) return '';
  if (s === null) return `n/a ${countOf(0, runs)}`;
  const u = m.unit === '×' ? '×' : m.unit ? ` ${m.unit}` : '';
  if (m.each) return `${s.runs.map((x) => (Number.isFinite(x) ? fmt(x, m.digits) : 'failed')).join(', ')}${u} ${countOf(s.n, runs)}`;
  const range = s.min === s.max ? '' : ` (${fmt(s.min, m.digits)}–${fmt(s.max, m.digits)})`;
  return `${fmt(s.median, m.digits)}${u}${range} ${countOf(s.n, runs)}`;
}

// Two decimals, or two significant digits for ratios far below 1 (throughput against an echo server).
const r2 = (x: number): string => (Math.abs(x) < 0.1 ? x.toPrecision(2) : x.toFixed(2));

/** A ratio cell: median (min–max); the count only where a run's ratio is missing. */
export function ratioCell(s: Summary | null | undefined, runs: number): string {
  if (s === undefined) return '';
  if (s === null) return `n/a ${countOf(0, runs)}`;
  const range = s.min === s.max ? '' : ` (${r2(s.min)}–${r2(s.max)})`;
  return `${r2(s.median)}×${range}${s.n < runs ? ` ${countOf(s.n, runs)}` : ''}`;
}

const HEADS: Record<Exclude<Column, 'limit'>, string> = { taskmaster: 'taskmaster', supervisord: 'supervisord', pm2: 'PM2', 'pm2-tuned': 'PM2 tuned' };

export function table(workloads: Workload[], results: Record<string, WorkloadResult>, title: (w: Workload) => string): string {
  // Only the supervisors that ran: a smoke run has no supervisord or PM2 columns.
  const cols = (Object.keys(HEADS) as (keyof typeof HEADS)[]).filter((c) => Object.values(results).some((r) => r.samples[c]));
  const head = ['workload', 'metric', ...cols.map((c) => HEADS[c]), 'limit', 'ratio to', ...cols.map((c) => `${HEADS[c]} ÷`), 'target', 'met'];
  const rows = [head, head.map(() => '---')];
  for (const w of workloads) {
    const r = results[w.name];
    if (!r) continue;
    for (const m of w.metrics) {
      const mr = r.metrics[m.key]!;
      rows.push([
        title(w),
        m.label,
        ...cols.map((c) => valueCell(mr.values[c], m, r.runs)),
        valueCell(mr.values.limit, m, r.runs) || '—',
        mr.ratio_to ?? '',
        ...cols.map((c) => ratioCell(mr.ratios[c], r.runs)),
        mr.target ?? '',
        mr.met === null ? '' : mr.met ? 'yes' : '**no**',
      ]);
    }
  }
  return rows.map((r) => `| ${r.join(' | ')} |`).join('\n') + '\n';
}

/** Every failed sample or part of one, as list items: nothing a median hides. */
export function failures(workloads: Workload[], results: Record<string, WorkloadResult>, title: (w: Workload) => string): string[] {
  return workloads.flatMap((w) => (results[w.name]?.errors ?? []).map((e) => `- **${title(w)}**, run ${e.run}, ${e.column}: ${e.error}`));
}
