// A run request's cgroup limits: read in the config's words, each error
// naming its field, refused where the host cannot apply them, written to
// the job's own cgroup, and an OOM kill in it told as the job's end.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { JobLimitsSchema, JobState } from '../../src/gen/taskmaster/v1/jobs_pb';
import { jobLimits } from '../../src/jobs/job-limits';
import { NO_LIMITS } from '../../src/cgroups/limits';
import { ALL_LIMITS_APPLY } from '../../src/config/limit-refusal';
import { ALICE, errorOf, runRequest, withJobs } from './jobs-fakes';
import { RecordingCgroups } from './supervisor-fakes';

const limits = (init: Record<string, string>) => create(JobLimitsSchema, init);

test('jobLimits: the config\'s words for each limit; unset fields are the kernel\'s default', () => {
  assert.deepEqual(jobLimits(undefined, ALL_LIMITS_APPLY), NO_LIMITS);
  assert.deepEqual(jobLimits(limits({}), ALL_LIMITS_APPLY), NO_LIMITS);
  assert.deepEqual(
    jobLimits(limits({ memoryMax: '64M', memoryHigh: 'max', cpuMax: '50%', pidsMax: '20', ioWeight: '300' }), ALL_LIMITS_APPLY),
    { memory_max: 64 * 1024 * 1024, memory_high: 'max', cpu_max: 0.5, pids_max: 20, io_weight: 300 },
  );
  assert.equal(jobLimits(limits({ cpuMax: '1.5' }), ALL_LIMITS_APPLY).cpu_max, 1.5);
  assert.equal(jobLimits(limits({ pidsMax: 'max' }), ALL_LIMITS_APPLY).pids_max, 'max');
});

test('jobLimits: a value that does not read is EBADREQUEST naming the field and what it takes', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ memoryMax: 'lots' }, /^limits\.memory_max: expected a size in bytes .* got "lots"$/],
    [{ memoryHigh: '0' }, /^limits\.memory_high: /],
    [{ cpuMax: '0.001' }, /^limits\.cpu_max: expected a share of one CPU/],
    [{ pidsMax: '0' }, /^limits\.pids_max: expected a number of processes >= 1, or max/],
    [{ pidsMax: '1.5' }, /^limits\.pids_max: /],
    [{ ioWeight: '10001' }, /^limits\.io_weight: expected an integer from 1 to 10000/],
  ];
  for (const [asked, message] of cases) {
    const err = errorOf(() => jobLimits(limits(asked), ALL_LIMITS_APPLY));
    assert.equal(err.code, 'EBADREQUEST', JSON.stringify(asked));
    assert.match(err.message, message);
  }
});

test('jobLimits: a limit this host cannot apply is ENOLIMITS with the reason; one it can passes', () => {
  const noIo = (key: string) => (key === 'io_weight' ? 'the cgroup v2 controller io is not available to the daemon\'s cgroup' : null);
  const err = errorOf(() => jobLimits(limits({ memoryMax: '1G', ioWeight: '50' }), noIo));
  assert.equal(err.code, 'ENOLIMITS');
  assert.equal(err.message, "limits.io_weight cannot be applied on this host: the cgroup v2 controller io is not available to the daemon's cgroup");
  assert.equal(jobLimits(limits({ memoryMax: '1G' }), noIo).memory_max, 1024 ** 3);
});

test('run: limits are refused when the manager has no cgroups (its default), before any job exists', () =>
  withJobs(({ jobs, spawner }) => {
    const err = errorOf(() => jobs.run(ALICE, runRequest('sleep', { limits: limits({ pidsMax: '5' }) })));
    assert.equal(err.code, 'ENOLIMITS');
    assert.match(err.message, /^limits\.pids_max cannot be applied on this host: the daemon runs without cgroups$/);
    assert.equal(spawner.spawns.length, 0);
    assert.deepEqual(jobs.list(ALICE), []);
    // Without limits the same manager runs the job.
    assert.equal(jobs.run(ALICE, runRequest('sleep')).state, JobState.RUNNING);
  }));

test('run: the limits go to the job\'s own cgroup, the spawn is placed in it, and the job shows them as asked', () => {
  const cgroups = new RecordingCgroups();
  return withJobs(
    ({ jobs, spawner }) => {
      const job = jobs.run(ALICE, runRequest('sleep', { limits: limits({ memoryMax: '64M', cpuMax: '20%' }) }));
      assert.deepEqual(cgroups.calls, [`prepare /cg/jobs/${job.id} memory_max=67108864 cpu_max=0.2`]);
      assert.equal(spawner.spawns.at(-1)!.spec.cgroup, `/cg/jobs/${job.id}`);
      assert.deepEqual([job.limits?.memoryMax, job.limits?.cpuMax, job.limits?.pidsMax], ['64M', '20%', '']);
      assert.equal(job.endReason, '');
    },
    { cgroups, refuseLimit: ALL_LIMITS_APPLY },
  );
});

test('run: an OOM kill in the job\'s cgroup is its end reason, naming memory_max; a plain kill has none', () => {
  const cgroups = new RecordingCgroups();
  return withJobs(
    ({ jobs, spawner, logged }) => {
      const plain = jobs.run(ALICE, runRequest('sleep', { limits: limits({ memoryMax: '32M' }) }));
      spawner.exit(plain.pid!, null, 'SIGTERM');
      assert.equal(jobs.get(ALICE, plain.id).endReason, '');

      const hog = jobs.run(ALICE, runRequest('tail', { args: ['/dev/zero'], limits: limits({ memoryMax: '32M' }) }));
      cgroups.oomKillCount = 1;
      spawner.exit(hog.pid!, null, 'SIGKILL');
      const ended = jobs.get(ALICE, hog.id);
      assert.deepEqual([ended.state, ended.signal], [JobState.KILLED, 'SIGKILL']);
      assert.equal(ended.endReason, 'killed by the OOM killer (memory_max 32M)');
      assert.ok(cgroups.calls.includes(`kill /cg/jobs/${hog.id}`), cgroups.calls.join('\n'));
      assert.ok(logged.some((l) => l.msg.includes(`job ${hog.id} of alice: killed by the OOM killer (memory_max 32M)`)), 'logged');
    },
    { cgroups, refuseLimit: ALL_LIMITS_APPLY },
  );
});
