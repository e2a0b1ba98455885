// Host checks of scenarios/cpu.sh: cpu_max: 20% throttles a busy loop.
import assert from 'node:assert/strict';
import type { Checks } from '../results';

export const checks: Checks = {
  'cpu_max: 20% is written as cpu.max 20000 100000 in the instance cgroup': (r) => {
    assert.equal(r.fact('use_config_exit'), '0', r.context());
    assert.match(r.fact('cgroup'), /^\/system\.slice\/taskmaster\.service\/programs\/spin:0$/, r.context());
    assert.equal(r.fact('cpu_max'), '20000 100000');
  },

  'a busy loop gets 15–25 % of the wall clock over 5 s': (r) => {
    const share = Number(r.fact('usage_usec')) / Number(r.fact('wall_usec'));
    assert.ok(share >= 0.15 && share <= 0.25, `CPU share ${share.toFixed(3)} (usage ${r.fact('usage_usec')} µs over ${r.fact('wall_usec')} µs)\n${r.file('cpu.stat')}`);
    assert.match(r.file('cpu.stat'), /^nr_throttled [1-9]/m, 'the kernel throttled it');
  },
};
