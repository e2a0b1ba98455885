// The scale workload's chart: start time and private memory against the
// number of programs, one line per supervisor (and the limit, for time),
// from the medians of the run; written next to the results.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chartSvg, type Series } from '../lib/svg-chart';
import type { Column, WorkloadResult } from '../results';
import { key } from './scale';

const LINES: { column: Column; name: string; color: string }[] = [
  { column: 'taskmaster', name: 'taskmaster', color: '#1f77b4' },
  { column: 'supervisord', name: 'supervisord', color: '#d62728' },
  { column: 'pm2', name: 'PM2', color: '#2ca02c' },
  { column: 'limit', name: 'C posix_spawn loop', color: '#7f7f7f' },
];

/** [N, median] of one metric for one column, at the sizes that have a number. */
export function seriesOf(r: WorkloadResult, metric: string, sizes: number[], column: Column): [number, number][] {
  return sizes.flatMap((n): [number, number][] => {
    const v = r.metrics[key(metric, n)]?.values[column]?.median;
    return v === undefined || !Number.isFinite(v) ? [] : [[n, v]];
  });
}

export function scaleChartSvg(r: WorkloadResult, sizes: number[], date: string): string {
  const lines = (metric: string): Series[] =>
    LINES.map((l) => ({ name: l.name, color: l.color, points: seriesOf(r, metric, sizes, l.column) })).filter((s) => s.points.length > 0);
  return chartSvg({
    title: `taskmaster bench, scale (${date}): medians`,
    xLabel: 'programs (log scale)',
    panels: [
      { title: "start → all exec'd (external observer)", yLabel: 'seconds (log scale)', logY: true, series: lines('start_s') },
      { title: 'stop all → all exited', yLabel: 'seconds (log scale)', logY: true, series: lines('stop_s') },
      { title: 'USS of the daemon and its helpers', yLabel: 'MiB', logY: false, series: lines('uss_mib') },
    ],
  });
}

/** Writes scale-<date>.svg and scale-latest.svg into `outDir`; returns the first's path. */
export function writeScaleChart(outDir: string, date: string, r: WorkloadResult, sizes: number[]): string {
  const svg = scaleChartSvg(r, sizes, date);
  const file = join(outDir, `scale-${date}.svg`);
  writeFileSync(file, svg);
  writeFileSync(join(outDir, 'scale-latest.svg'), svg);
  return file;
}
