// Host checks of scenarios/pids.sh: pids_max stops a fork burst; the
// daemon stays healthy.
import assert from 'node:assert/strict';
import type { Checks } from '../results';

export const checks: Checks = {
  'pids_max: 20 is written as pids.max in the instance cgroup': (r) => {
    assert.equal(r.fact('use_config_exit'), '0', r.context());
    assert.match(r.fact('cgroup'), /\/programs\/bomb:0$/, r.context());
    assert.equal(r.fact('pids_max'), '20');
  },

  'a burst of 100 forks never has more than 20 tasks; forks past the limit fail': (r) => {
    assert.equal(r.fact('refused_wait'), '0', `the kernel never refused a fork\n${r.file('pids.events')}\n${r.context()}`);
    const peak = Number(r.fact('pids_current_peak'));
    assert.ok(peak > 0 && peak <= 20, `pids.current peaked at ${peak}`);
    if (r.facts.pids_peak_file !== undefined) assert.ok(Number(r.facts.pids_peak_file) <= 20, `pids.peak ${r.facts.pids_peak_file}`);
    assert.match(r.file('bomb.err'), /fork|Resource temporarily unavailable/i, 'the shell saw its forks fail');
  },

  'the daemon stays healthy: status answers, same daemon, the other program untouched': (r) => {
    assert.equal(r.fact('status_exit'), '0', r.file('status.txt'));
    assert.match(r.file('status.txt'), /bystander\s+RUNNING/);
    assert.equal(r.fact('daemon_same'), 'yes');
    assert.equal(r.fact('bystander_same'), 'yes');
    assert.equal(r.fact('service_state'), 'active');
    assert.equal(r.fact('stop_exit'), '0', 'the bomb stops on request');
  },
};
