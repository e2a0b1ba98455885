// Collects the samples of every run and turns them into the results: per
// metric, the median and range of each supervisor and the limit, how many
// samples each is of, and the same-run ratios (each run's value over that
// run's reference). The raw samples and every failure go into the results too.
import { type Summary, summarize } from './lib/stats';
import type { Metric, Sample, Workload } from './workloads/types';

export const COLUMNS = ['taskmaster', 'supervisord', 'pm2', 'pm2-tuned', 'limit'] as const;
export type Column = (typeof COLUMNS)[number];

/** A sample, or part of one, that failed: which run, which column, and why. */
export interface SampleError {
  run: number; // from 1
  column: Column;
  error: string;
}

export interface MetricResult {
  label: string;
  unit: string;
  ratio_to: string | null;
  target: string | null;
  /** absent: the column does not measure this metric; null: it does, and no sample gave a number */
  values: Partial<Record<Column, Summary | null>>;
  ratios: Partial<Record<Column, Summary | null>>;
  /** whether taskmaster meets the target in every run's sample; null without a target or a number */
  met: boolean | null;
}

export interface WorkloadResult {
  measure: string;
  limit: string;
  settings: Record<string, unknown>;
  runs: number;
  errors: SampleError[];
  metrics: Record<string, MetricResult>;
  /** every sample as measured, samples[column][run]; null where the whole sample failed */
  samples: Samples;
}

/** samples[column][run] */
export type Samples = Partial<Record<Column, (Sample | null)[]>>;

/**
 * The samples of one column for one metric, NaN where a sample failed; or
 * undefined where the column does not measure it (no sample that ran has
 * the key: PM2 has no log rotation; only the limit has a pipe floor).
 */
function series(m: Metric, samples: Samples, col: Column, runs: number): number[] | undefined {
  const list = samples[col];
  if (!list) return undefined;
  const ran = list.filter((s): s is Sample => s !== null);
  if (ran.length > 0 && !ran.some((s) => m.key in s)) return undefined;
  return Array.from({ length: runs }, (_, i) => list[i]?.[m.key] ?? NaN);
}

export function metricResult(m: Metric, samples: Samples, runs: number): MetricResult {
  const values: MetricResult['values'] = {};
  const ratios: MetricResult['ratios'] = {};
  const ref = m.ratioTo ? series(m, samples, m.ratioTo, runs) : undefined;
  for (const col of COLUMNS) {
    const xs = series(m, samples, col, runs);
    if (!xs) continue;
    values[col] = summarize(xs);
    if (ref && col !== m.ratioTo) ratios[col] = summarize(xs.map((v, i) => v / ref[i]!));
  }
  const s = m.target?.on === 'ratio' ? ratios.taskmaster : values.taskmaster;
  let met: boolean | null = null;
  if (m.target && s) {
    // A failed sample is not a met target: every run must give a number.
    met = s.n === runs && m.target.ok(m.target.worst ? s.max : s.median);
  }
  return { label: m.label, unit: m.unit, ratio_to: m.ratioTo ?? null, target: m.target?.text ?? null, values, ratios, met };
}

export function workloadResult(
  w: Workload,
  d: ReturnType<Workload['describe']>,
  samples: Samples,
  runs: number,
  errors: SampleError[],
): WorkloadResult {
  const metrics: Record<string, MetricResult> = {};
  for (const m of w.metrics) metrics[m.key] = metricResult(m, samples, runs);
  return { ...d, runs, errors, metrics, samples };
}
