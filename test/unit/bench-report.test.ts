// The benchmark's results and table (bench/results.ts, bench/report.ts,
// bench/lib/stats.ts): the order the columns run in, and no failed sample
// hidden behind a median.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runOrder, summarize } from '../../bench/lib/stats';
import { ratioCell, valueCell } from '../../bench/report';
import { metricResult, type Samples } from '../../bench/results';
import type { Metric } from '../../bench/workloads/types';

test('the columns rotate by one each run: none always first', () => {
  const cols = ['A', 'B', 'C'];
  assert.deepEqual([0, 1, 2, 3].map((r) => runOrder(cols, r).join('')), ['ABC', 'BCA', 'CAB', 'ABC']);
  // Over as many runs as columns, each is first once.
  const firsts = [0, 1, 2, 3, 4].map((r) => runOrder(['a', 'b', 'c', 'd', 'e'], r)[0]);
  assert.deepEqual([...new Set(firsts)].sort(), ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(runOrder([], 3), []);
});

const seconds: Metric = { key: 't', label: 't', unit: 's', digits: 2, ratioTo: 'limit', target: { text: '≤ 2×', on: 'ratio', ok: (r) => r <= 2 } };
const lost: Metric = { key: 'lost', label: 'lost', unit: '', digits: 0, each: true, target: { text: '0', on: 'value', ok: (v) => v === 0, worst: true } };

test('a cell says how many samples its median is of; a failed one shows', () => {
  assert.equal(valueCell(summarize([1, 2, 3]), seconds, 3), '2.00 s (1.00–3.00) 3/3');
  assert.equal(valueCell(summarize([1, NaN, 3]), seconds, 3), '2.00 s (1.00–3.00) **2/3**');
  assert.equal(valueCell(null, seconds, 3), 'n/a **0/3**');
  assert.equal(valueCell(undefined, seconds, 3), '');
  assert.equal(ratioCell(summarize([1.5, 1.5, 1.5]), 3), '1.50×');
  assert.equal(ratioCell(summarize([1.5, NaN, 1.7]), 3), '1.60× (1.50–1.70) **2/3**');
});

test('a count shown sample by sample: one bad run is not hidden behind a median of 0', () => {
  assert.equal(valueCell(summarize([0, 1600, 0]), lost, 3), '0, 1600, 0 3/3');
  assert.equal(valueCell(summarize([0, NaN, 0]), lost, 3), '0, failed, 0 **2/3**');
});

test('met needs every sample: a failed one, or the worst of a count, fails the target', () => {
  const ok: Samples = { taskmaster: [{ t: 1 }, { t: 1 }, { t: 1 }], limit: [{ t: 1 }, { t: 1 }, { t: 1 }] };
  assert.equal(metricResult(seconds, ok, 3).met, true);
  const oneFailed: Samples = { taskmaster: [{ t: 1 }, null, { t: 1 }], limit: ok.limit! };
  const r = metricResult(seconds, oneFailed, 3);
  assert.equal(r.met, false);
  assert.equal(r.values.taskmaster?.n, 2);
  assert.deepEqual(r.values.taskmaster?.runs, [1, NaN, 1]);
  assert.equal(r.ratios.taskmaster?.n, 2);
  const oneLoss: Samples = { taskmaster: [{ lost: 0 }, { lost: 1600 }, { lost: 0 }] };
  const l = metricResult(lost, oneLoss, 3);
  assert.equal(l.values.taskmaster?.median, 0);
  assert.equal(l.met, false);
});

test('a column that does not measure a metric has no cell; one whose samples all failed has n/a', () => {
  const s: Samples = { taskmaster: [{ t: 1 }], pm2: [{ other: 1 }], supervisord: [null], limit: [{ t: 1 }] };
  const r = metricResult(seconds, s, 1);
  assert.equal(r.values.pm2, undefined);
  assert.equal(r.values.supervisord, null);
  assert.equal(r.ratios.supervisord, null);
});
