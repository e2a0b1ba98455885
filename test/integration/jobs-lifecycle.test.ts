// Jobs as real processes: how they end (EXITED, KILLED, FAILED and why),
// kill of a job that forked, run_as, the session, 100 at once, and stopAll.
// As root, as in CI: run_as needs it, and a missing root is a failure here.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { JobState } from '../../src/gen/taskmaster/v1/jobs_pb';
import { CHILD, waitFor } from './harness';
import { alive, ended, LOCAL, outputOf, procStat, request, withRealJobs } from './jobs-helpers';
import { idOf, procStatus } from './lifecycle-helpers';

// Its own account, with no home directory: jobs of it start in /.
const USER = 'tm-jobs';

function groupGone(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function ensureUser(): void {
  assert.equal(process.getuid?.(), 0, 'run_as needs root (CI runs the tests as root)');
  if (spawnSync('id', ['-u', USER]).status === 0) return;
  const r = spawnSync('useradd', ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', USER], { encoding: 'utf8' });
  assert.equal(r.status, 0, `useradd ${USER}: ${r.stderr}`);
}

test('EXITED with its code, KILLED with its signal, FAILED with the reason it could not start', () =>
  withRealJobs(async ({ jobs }) => {
    const exited = await ended(jobs, LOCAL, jobs.run(LOCAL, request('sh', ['-c', 'exit 7'])).id);
    assert.deepEqual([exited.state, exited.exitCode, exited.signal], [JobState.EXITED, 7, undefined]);
    assert.ok(exited.endedAt !== undefined);
    const killed = await ended(jobs, LOCAL, jobs.run(LOCAL, request('sh', ['-c', 'kill -USR1 $$'])).id);
    assert.deepEqual([killed.state, killed.exitCode, killed.signal], [JobState.KILLED, undefined, 'SIGUSR1']);
    const missing = jobs.run(LOCAL, request('/nonexistent/tool'));
    assert.equal(missing.state, JobState.FAILED);
    assert.match(missing.error, /\/nonexistent\/tool: no such file/);
    const unknown = jobs.run(LOCAL, request('no-such-command-anywhere'));
    assert.deepEqual([unknown.state, unknown.error], [JobState.FAILED, 'no-such-command-anywhere: command not found in PATH']);
    const badDir = jobs.run(LOCAL, request('true', [], { dir: '/nonexistent-dir' }));
    assert.deepEqual([badDir.state, badDir.error], [JobState.FAILED, 'workingdir /nonexistent-dir: no such file']);
    const nobody = jobs.run({ name: 'x', runAs: 'no-such-user-here', admin: false }, request('true'));
    assert.deepEqual([nobody.state, nobody.error], [JobState.FAILED, 'no such user "no-such-user-here"']);
  }));

test('kill of a job that forked: SIGTERM to its group, SIGKILL to the grandchild that ignores it; nothing is left', () =>
  withRealJobs(
    async ({ jobs, dir }) => {
      const grandchildFile = join(dir, 'grandchild.pid');
      const job = jobs.run(LOCAL, request(process.execPath, [CHILD], { env: { CHILD_GRANDCHILD_PID_FILE: grandchildFile } }));
      const pid = job.pid!;
      const grandchild = Number(await waitFor(() => existsSync(grandchildFile) && readFileSync(grandchildFile, 'utf8'), 'the grandchild'));
      assert.equal(procStat(grandchild)[2], String(pid), "the grandchild is in the job's process group");
      jobs.kill(LOCAL, job.id);
      const end = await ended(jobs, LOCAL, job.id);
      assert.deepEqual([end.state, end.signal], [JobState.KILLED, 'SIGTERM']);
      await waitFor(() => !alive(grandchild), 'the grandchild to be killed after the grace');
      // Its new parent (init) reaps the dead grandchild in its own time; until then the group is not empty.
      await waitFor(() => groupGone(pid), 'the process group to be empty');
    },
    { killGraceMs: 300 },
  ));

test('run_as: the job runs with the user\'s ids, in its own session, stdin /dev/null, in / when the user has no home', () =>
  withRealJobs(async ({ jobs }) => {
    ensureUser();
    const owner = { name: 'remote-alice', runAs: USER, admin: false };
    const job = jobs.run(owner, request('sleep', ['1000']));
    assert.equal(job.state, JobState.RUNNING, job.error);
    assert.deepEqual([job.owner, job.user], ['remote-alice', USER]);
    const pid = job.pid!;
    const want = idOf(USER);
    assert.deepEqual(procStatus(pid, 'Uid'), Array(4).fill(String(want.uid)), 'real, effective, saved, fs uid');
    assert.deepEqual(procStatus(pid, 'Gid'), Array(4).fill(String(want.gid)), 'real, effective, saved, fs gid');
    assert.equal(readFileSync(`/proc/${pid}/comm`, 'utf8'), 'sleep\n', 'setpriv exec\'d the command: the pid is the job\'s');
    const [, , pgrp, session] = procStat(pid);
    assert.deepEqual([pgrp, session], [String(pid), String(pid)], 'its own process group and session');
    assert.equal(readlinkSync(`/proc/${pid}/fd/0`), '/dev/null');
    assert.equal(readlinkSync(`/proc/${pid}/cwd`), '/');
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    assert.ok(env.includes(`USER=${USER}`) && env.includes('HOME=/') && env.includes(`TASKMASTER_JOB_ID=${job.id}`), env.join(' '));
    jobs.kill(owner, job.id);
    assert.equal((await ended(jobs, owner, job.id)).signal, 'SIGTERM');
  }));

test('100 jobs at once all run, each with its own output and exit', () =>
  withRealJobs(
    async ({ jobs }) => {
      const started = Array.from({ length: 100 }, (_, i) => jobs.run(LOCAL, request('sh', ['-c', `echo "$TASKMASTER_JOB_ID"; exit ${i % 5}`])));
      for (const job of started) assert.equal(job.state, JobState.RUNNING, job.error);
      const outs = await Promise.all(started.map((job) => outputOf(jobs, LOCAL, job.id)));
      outs.forEach((out, i) => {
        assert.equal(out.stdout.toString(), `${started[i]!.id}\n`);
        assert.deepEqual([out.ended?.state, out.ended?.exitCode], [JobState.EXITED, i % 5]);
      });
      assert.deepEqual(jobs.list(LOCAL).map((j) => j.id), started.map((j) => j.id).reverse(), 'newest first');
    },
    { maxRunningPerOwner: 100 },
  ));

test('stopAll: every running job ends — SIGKILL for one that ignores SIGTERM — before it resolves', () =>
  withRealJobs(
    async ({ jobs, dir }) => {
      const sleeper = jobs.run(LOCAL, request('sleep', ['1000']));
      const ready = join(dir, 'stubborn.pid');
      const stubborn = jobs.run(LOCAL, request(process.execPath, [CHILD], { env: { CHILD_IGNORE: 'TERM', CHILD_PID_FILE: ready } }));
      // The pid file is written once SIGTERM is ignored.
      await waitFor(() => existsSync(ready), 'the stubborn job to ignore SIGTERM');
      await jobs.stopAll();
      assert.deepEqual([jobs.get(LOCAL, sleeper.id).state, jobs.get(LOCAL, sleeper.id).signal], [JobState.KILLED, 'SIGTERM']);
      assert.deepEqual([jobs.get(LOCAL, stubborn.id).state, jobs.get(LOCAL, stubborn.id).signal], [JobState.KILLED, 'SIGKILL']);
      assert.ok(!alive(sleeper.pid!) && !alive(stubborn.pid!));
    },
    { killGraceMs: 300 },
  ));
