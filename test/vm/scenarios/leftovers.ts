// Host checks of scenarios/leftovers.sh: a daemon killed with SIGKILL
// leaves nothing behind once it is back.
import assert from 'node:assert/strict';
import type { Checks } from '../results';

const pids = (text: string): string[] => text.split(' ').filter(Boolean);

export const checks: Checks = {
  'before: two instances, each with its setsid grandchild, four processes in programs/': (r) => {
    assert.equal(r.fact('use_config_exit'), '0', r.context());
    assert.equal(r.fact('four_before'), '0', r.context());
    assert.equal(pids(r.fact('old_pids')).length, 4);
  },

  'after kill -9 of the main pid the unit is restarted by systemd': (r) => {
    assert.equal(r.fact('restarted'), '0', `${r.context()}\n${r.file('journal.txt')}`);
    assert.notEqual(r.fact('new_daemon'), r.fact('old_daemon'));
    assert.equal(r.fact('status_exit'), '0', r.file('status.txt'));
  },

  'no process of the old run is left; the new run has its own, in the same two cgroups': (r) => {
    assert.equal(r.fact('old_alive'), '', `old pids still alive: ${r.fact('old_alive')}`);
    assert.equal(r.fact('four_after'), '0', r.context());
    const fresh = pids(r.fact('new_pids'));
    assert.equal(fresh.length, 4);
    for (const p of fresh) assert.ok(!pids(r.fact('old_pids')).includes(p), `pid ${p} is from before`);
    assert.deepEqual(r.file('programs.ls').trim().split('\n'), ['stay:0', 'stay:1']);
  },

  'alone (root cgroup, no systemd to clean): SIGKILL leaves the four processes running': (r) => {
    assert.equal(r.fact('alone_four_before'), '0', r.context());
    assert.equal(r.fact('alone_left_by_sigkill'), '4', 'without this the next check proves nothing');
  },

  "alone: the next daemon kills the old run's processes, grandchildren included, and starts afresh": (r) => {
    assert.equal(r.fact('alone_restarted'), '0', r.context());
    assert.equal(r.fact('alone_old_alive'), '', `old pids still alive: ${r.fact('alone_old_alive')}`);
    assert.equal(r.fact('alone_four_after'), '0', r.context());
    const fresh = pids(r.fact('alone_new_pids'));
    for (const p of fresh) assert.ok(!pids(r.fact('alone_old_pids')).includes(p), `pid ${p} is from before`);
    assert.deepEqual(r.file('alone-programs.ls').trim().split('\n'), ['stay:0', 'stay:1']);
    assert.match(r.file('alone-log.txt'), /killed what an earlier taskmasterd left in \/sys\/fs\/cgroup\/taskmaster\/programs\/stay:[01]/, 'the cgroup clean-up did it, and said so');
    assert.equal(r.fact('alone_shutdown'), '0', 'the second daemon shut down');
  },
};
