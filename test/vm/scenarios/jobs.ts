// Host checks of scenarios/jobs.sh: a job's limits from the run request,
// in its own cgroup, and an OOM kill reported as the job's end.
import assert from 'node:assert/strict';
import type { Checks } from '../results';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}';

export const checks: Checks = {
  "run --memory-max 48M --cpu-max 50% --pids-max 20: the job's own cgroup under jobs/ holds them": (r) => {
    assert.equal(r.fact('active'), 'active', r.context());
    assert.equal(r.fact('run_exit'), '0', r.context());
    assert.match(r.fact('cgroup'), new RegExp(`^/system\\.slice/taskmaster\\.service/jobs/${r.fact('job_id')}$`), r.context());
    assert.match(r.fact('job_id'), new RegExp(`^${UUID}$`));
    assert.equal(r.fact('memory_max'), String(48 * 1024 * 1024));
    assert.equal(r.fact('cpu_max'), '50000 100000');
    assert.equal(r.fact('pids_max'), '20');
    assert.match(r.file('ps_limits.txt'), /^limits: {2}memory_max 48M, cpu_max 50%, pids_max 20$/m, r.file('ps_limits.txt'));
  },

  "the job's cgroup is removed once it is killed": (r) => {
    assert.equal(r.fact('cgroup_gone'), '0', r.context());
  },

  'a job over --memory-max 32M is OOM-killed: run -f says so and exits 137; ps gives the reason': (r) => {
    assert.equal(r.fact('oom_run_exit'), '137', r.file('oom_run_stderr.txt'));
    assert.match(r.file('oom_run_stderr.txt'), new RegExp(`^taskmasterctl: job ${UUID} killed by the OOM killer \\(memory_max 32M\\)$`, 'm'));
    assert.equal(r.fact('hog_killed'), '0', r.context());
    const ps = r.file('ps_oom.txt');
    assert.match(ps, /^state: {3}KILLED \(SIGKILL\)$/m, ps);
    assert.match(ps, /^reason: {2}killed by the OOM killer \(memory_max 32M\)$/m, ps);
  },
};
