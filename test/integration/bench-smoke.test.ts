// The benchmark harness (bench/) must not rot: a smoke run of every workload
// with tiny sizes, taskmaster and the limits only, must give a number for
// every metric of taskmaster and of each limit it is compared with.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = resolve(__dirname, '../../..');
const WORKLOADS = ['spawn', 'idle', 'ctl', 'clients', 'logs', 'restart', 'remote', 'scale'];

interface MetricResult {
  ratio_to: string | null;
  values: Record<string, { median: number } | null>;
}

test('bench --smoke measures every workload and writes numeric results', { timeout: 180_000 }, () => {
  const out = mkdtempSync(join(tmpdir(), 'tm-bench-smoke-'));
  try {
    const r = spawnSync(process.execPath, [join(ROOT, 'build/bench/main.js'), '--smoke', '--out', out], { encoding: 'utf8', timeout: 170_000 });
    assert.equal(r.status, 0, r.stderr);
    const json = readdirSync(out).find((f) => f.endsWith('.json'));
    assert.ok(json, 'no result JSON written');
    assert.ok(readdirSync(out).includes('latest.md'));
    const doc = JSON.parse(readFileSync(join(out, json), 'utf8')) as { smoke: boolean; workloads: Record<string, { metrics: Record<string, MetricResult> }> };
    assert.equal(doc.smoke, true);
    assert.deepEqual(Object.keys(doc.workloads).sort(), [...WORKLOADS].sort());
    for (const w of WORKLOADS) {
      for (const [key, m] of Object.entries(doc.workloads[w]!.metrics)) {
        // A floor row (the writer through a pipe) is measured on the limit alone.
        if (Object.keys(m.values).join() === 'limit') continue;
        assert.equal(typeof m.values.taskmaster?.median, 'number', `${w}.${key}: taskmaster has no number`);
        if (m.ratio_to === 'limit') assert.equal(typeof m.values.limit?.median, 'number', `${w}.${key}: the limit has no number`);
      }
    }
    // What the daemon costs in memory, from smaps_rollup: a zero would be a field misread, not a small daemon.
    const idle = doc.workloads.idle!.metrics;
    for (const key of ['uss_mib', 'pss_mib', 'anon_mib']) {
      const v = idle[key]?.values.taskmaster?.median;
      assert.ok(typeof v === 'number' && v > 0, `idle.${key}: ${v}`);
    }
    assert.match(r.stdout, /\| workload \| metric \|/);
    for (const label of ['USS', 'PSS', 'anonymous']) assert.match(r.stdout, new RegExp(`\\| idle \\| ${label}`), `the table has the ${label} row`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
