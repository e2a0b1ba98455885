// Host checks of scenarios/stats.sh: live stats are the cgroup files.
import assert from 'node:assert/strict';
import type { StatusView } from '../../../src/cli/views';
import type { Checks } from '../results';

// The daemon reads the files at its own instant: a page or two of kernel
// memory may come and go between its read and ours.
const MEMORY_SLACK_BYTES = 256 * 1024;
// cpu_seconds is shown rounded (hundredths).
const CPU_SLACK_S = 0.01;

const stats = (r: Parameters<Checks[string]>[0]): NonNullable<StatusView['stats']> => {
  const row = (JSON.parse(r.file('status.json')) as StatusView[])[0];
  assert.ok(row?.stats, `no stats in status -l\n${r.file('status.json')}`);
  return row.stats;
};

export const checks: Checks = {
  'processes equals pids.current (3)': (r) => {
    assert.equal(r.fact('use_config_exit'), '0', r.context());
    assert.match(r.fact('cgroup'), /\/programs\/trio:0$/, r.context());
    assert.equal(r.fact('pids_before'), '3');
    assert.equal(r.fact('pids_after'), '3');
    assert.equal(stats(r).processes, 3, r.file('status.json'));
  },

  'rss_bytes is memory.current, read at a nearby instant': (r) => {
    const before = Number(r.fact('memory_before'));
    const after = Number(r.fact('memory_after'));
    const rss = stats(r).rss_bytes;
    const low = Math.min(before, after) - MEMORY_SLACK_BYTES;
    const high = Math.max(before, after) + MEMORY_SLACK_BYTES;
    assert.ok(rss >= low && rss <= high, `rss_bytes ${rss}, memory.current ${before} before and ${after} after\n${r.file('status.json')}`);
  },

  "cpu_seconds is cpu.stat's usage_usec": (r) => {
    const before = Number(r.fact('usage_before')) / 1e6;
    const after = Number(r.fact('usage_after')) / 1e6;
    const cpu = stats(r).cpu_seconds;
    assert.ok(cpu >= before - CPU_SLACK_S && cpu <= after + CPU_SLACK_S, `cpu_seconds ${cpu}, usage ${before} s before and ${after} s after`);
  },

  "memory_peak_bytes is memory.peak (a high-water mark: between the reads around the status call)": (r) => {
    const before = Number(r.fact('peak_before'));
    const after = Number(r.fact('peak_after'));
    const peak = stats(r).memory_peak_bytes;
    assert.ok(peak !== null && peak >= before && peak <= after, `memory_peak_bytes ${peak}, memory.peak ${before} before and ${after} after\n${r.file('status.json')}`);
  },
};
