// Host checks of scenarios/setsid.sh: stop reaches a setsid'd grandchild.
import assert from 'node:assert/strict';
import type { Checks } from '../results';

export const checks: Checks = {
  "the setsid'd grandchild has left the session but not the instance's cgroup": (r) => {
    assert.equal(r.fact('use_config_exit'), '0', r.context());
    assert.match(r.fact('cgroup'), /\/programs\/escaper:0$/, r.context());
    assert.notEqual(r.fact('grandchild_sid'), '', r.context());
    assert.notEqual(r.fact('grandchild_sid'), r.fact('main_sid'), 'setsid gave it a session of its own');
    assert.equal(r.fact('grandchild_in_cgroup'), 'yes');
  },

  "after stop the grandchild is gone and the instance's cgroup removed": (r) => {
    assert.equal(r.fact('stop_exit'), '0', r.context());
    assert.equal(r.fact('main_gone'), 'yes');
    assert.equal(r.fact('grandchild_gone'), '0', `the grandchild outlived stop by 30 s\n${r.context()}`);
    assert.equal(r.fact('cgroup_removed'), '0', `the cgroup was still there 30 s after\n${r.context()}`);
  },
};
