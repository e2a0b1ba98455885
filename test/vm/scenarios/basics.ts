// Host checks of scenarios/basics.sh: what every later VM scenario needs.
import assert from 'node:assert/strict';
import type { StatusView } from '../../../src/cli/views';
import type { Checks } from '../results';

const unitProps = (text: string): Record<string, string> =>
  Object.fromEntries(text.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

export const checks: Checks = {
  'systemd is PID 1 in the VM': (r) => assert.equal(r.fact('pid1'), 'systemd', r.context()),

  'taskmaster.service is active (Type=notify: READY=1 came), with Delegate=yes': (r) => {
    const unit = unitProps(r.file('unit'));
    assert.equal(unit.ActiveState, 'active', r.context());
    assert.equal(unit.SubState, 'running', r.context());
    assert.equal(unit.Type, 'notify');
    assert.equal(unit.Delegate, 'yes');
    assert.equal(unit.ControlGroup, '/system.slice/taskmaster.service');
  },

  'the service has memory, cpu and pids on a pure cgroup v2 hierarchy': (r) => {
    assert.equal(r.fact('cgroup_fs'), 'cgroup2fs', 'only cgroup2 is mounted at /sys/fs/cgroup (no hybrid v1 controllers)');
    const controllers = r.fact('service_cgroup_controllers').split(' ');
    for (const c of ['memory', 'cpu', 'pids']) assert.ok(controllers.includes(c), `${c} in the service's cgroup.controllers: ${controllers.join(' ')}`);
  },

  'taskmasterctl status answers inside and the daemon runs its program': (r) => {
    assert.equal(r.fact('ctl_status_exit'), '0', r.file('status.txt'));
    const rows = JSON.parse(r.file('status.json')) as StatusView[];
    const sleeper = rows.find((row) => row.name === 'sleeper');
    assert.equal(sleeper?.state, 'RUNNING', r.file('status.json'));
    assert.equal(r.fact('sleeper_comm'), 'sleep');
    assert.match(r.fact('sleeper_cgroup'), /^\/system\.slice\/taskmaster\.service(\/|$)/, "the program is in the service's subtree");
  },

  "the kernel OOM-kills a process over memory.max in a cgroup of the service's subtree": (r) => {
    assert.equal(r.fact('probe_memory_max'), String(32 * 1024 * 1024));
    assert.equal(r.fact('oom_probe_exit'), '137', `SIGKILL (128 + 9), not the 60 s timeout (124)\n${r.context()}`);
    assert.equal(r.fact('oom_kill'), '1', r.file('memory.events'));
    // The probe put the daemon in a leaf of its own: the restart undoes that.
    if (r.fact('daemon_moved_to_leaf') === 'yes') assert.match(r.fact('restarted_after_probe'), /^active [1-9]/, r.context());
  },
};
