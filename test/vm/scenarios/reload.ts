// Host checks of scenarios/reload.sh: memory_max changes in place.
import assert from 'node:assert/strict';
import type { Checks } from '../results';

const MiB = 1024 * 1024;

export const checks: Checks = {
  'memory_max: 64M is the instance cgroup memory.max': (r) => {
    assert.equal(r.fact('use_config_exit'), '0', r.context());
    assert.match(r.fact('cgroup'), /\/programs\/steady:0$/, r.context());
    assert.equal(r.fact('memory_max_before'), String(64 * MiB));
  },

  'a reload to 48M writes memory.max in place: same pid, no restart': (r) => {
    assert.equal(r.fact('reload_exit'), '0', r.file('reload.json'));
    const result = JSON.parse(r.file('reload.json')) as { restarted: string[]; updated: string[] };
    assert.deepEqual(result.restarted, [], r.file('reload.json'));
    assert.ok(result.updated.includes('steady'), r.file('reload.json'));
    assert.equal(r.fact('pid_after'), r.fact('pid_before'));
    assert.equal(r.fact('memory_max_after'), String(48 * MiB));
  },
};
