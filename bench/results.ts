// Collects the samples of every run and turns them into the results: per
// metric, the median and range of each supervisor and the limit, and the
// same-run ratios (each run's value over that run's reference).
import { type Summary, summarize } from './lib/stats';
import type { Metric, Sample, Workload } from './workloads/types';

export const COLUMNS = ['taskmaster', 'supervisord', 'pm2', 'limit'] as const;
export type Column = (typeof COLUMNS)[number];

export interface MetricResult {
  label: string;
  unit: string;
  ratio_to: string | null;
  target: string | null;
  values: Partial<Record<Column, Summary | null>>;
  ratios: Partial<Record<Column, Summary | null>>;
  /** whether taskmaster's medians meet the target; null without a target or a number */
  met: boolean | null;
}

export interface WorkloadResult {
  measure: string;
  limit: string;
  settings: Record<string, unknown>;
  errors: string[];
  metrics: Record<string, MetricResult>;
}

/** samples[column][run] */
export type Samples = Partial<Record<Column, (Sample | null)[]>>;

function metricResult(m: Metric, samples: Samples, runs: number): MetricResult {
  const series = (col: Column): number[] =>
    Array.from({ length: runs }, (_, i) => samples[col]?.[i]?.[m.key] ?? NaN);
  const values: MetricResult['values'] = {};
  const ratios: MetricResult['ratios'] = {};
  for (const col of COLUMNS) {
    if (!samples[col]) continue;
    values[col] = summarize(series(col));
    if (m.ratioTo && col !== m.ratioTo && samples[m.ratioTo]) {
      const ref = series(m.ratioTo);
      ratios[col] = summarize(series(col).map((v, i) => v / ref[i]!));
    }
  }
  const x = m.target?.on === 'ratio' ? ratios.taskmaster?.median : values.taskmaster?.median;
  const met = m.target && x !== undefined ? m.target.ok(x) : null;
  return { label: m.label, unit: m.unit, ratio_to: m.ratioTo ?? null, target: m.target?.text ?? null, values, ratios, met };
}

export function workloadResult(w: Workload, d: ReturnType<Workload['describe']>, samples: Samples, runs: number, errors: string[]): WorkloadResult {
  const metrics: Record<string, MetricResult> = {};
  for (const m of w.metrics) metrics[m.key] = metricResult(m, samples, runs);
  return { ...d, errors, metrics };
}
