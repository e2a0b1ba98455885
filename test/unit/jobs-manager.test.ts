// The JobManager on fake edges: states, the request checks, the limit per
// identity, isolation between identities, kill and its escalation,
// retention, and shutdown. No real process and no real time.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { timestampMs } from '@bufbuild/protobuf/wkt';
import { JobState } from '../../src/gen/taskmaster/v1/jobs_pb';
import { JobManager } from '../../src/jobs/manager';
import { ADMIN, ALICE, BOB, errorOf, GRACE_MS, RETENTION_MS, runRequest, withJobs } from './jobs-fakes';
import { FakeClock, flushPromises } from './supervisor-fakes';

test('run: RUNNING with its pid, owner, user and start time; the spawn as run_as, in the home, with a clean environment', () =>
  withJobs(({ jobs, spawner, clock }) => {
    clock.advance(5000);
    const job = jobs.run(ALICE, runRequest('make', { args: ['-j', '4'], env: { CC: 'clang', PATH: '/opt/bin' } }));
    assert.equal(job.state, JobState.RUNNING);
    assert.equal(job.pid, spawner.lastPid());
    assert.deepEqual([job.owner, job.user, job.command, job.args], ['alice', 'alice', 'make', ['-j', '4']]);
    assert.equal(timestampMs(job.startedAt!), FakeClock.WALL_START + 5000);
    assert.equal(job.endedAt, undefined);
    assert.match(job.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a UUIDv7');
    const { spec } = spawner.spawns.at(-1)!;
    assert.deepEqual(spec.argv, ['make', '-j', '4']);
    assert.equal(spec.user, 'alice');
    assert.equal(spec.cwd, '/home/alice');
    assert.equal(spec.umask, null, "the daemon's umask");
    assert.deepEqual(spec.env, {
      PATH: '/opt/bin', // the request's wins
      LANG: 'C.UTF-8',
      HOME: '/home/alice',
      USER: 'alice',
      LOGNAME: 'alice',
      TASKMASTER_JOB_ID: job.id,
      CC: 'clang',
    });
  }));

test('run: dir relative to the home, or absolute; runAs null runs as the daemon\'s own user', () =>
  withJobs(({ jobs, spawner }) => {
    jobs.run(ALICE, runRequest('ls', { dir: 'src' }));
    assert.equal(spawner.spawns.at(-1)!.spec.cwd, '/home/alice/src');
    jobs.run(ALICE, runRequest('ls', { dir: '/tmp' }));
    assert.equal(spawner.spawns.at(-1)!.spec.cwd, '/tmp');
    const job = jobs.run(ADMIN, runRequest('ls'));
    assert.equal(spawner.spawns.at(-1)!.spec.user, null);
    assert.equal(job.user, 'root');
  }));

test('run: FAILED with the reason when it cannot start — no such command, no such user; a failed job is kept and shown', () =>
  withJobs(({ jobs, spawner }) => {
    spawner.failWith = 'nosuch: command not found in PATH';
    const failed = jobs.run(ALICE, runRequest('nosuch'));
    assert.equal(failed.state, JobState.FAILED);
    assert.equal(failed.error, 'nosuch: command not found in PATH');
    assert.equal(failed.pid, undefined);
    assert.ok(failed.endedAt !== undefined);
    spawner.failWith = null;
    const ghost = jobs.run({ name: 'casper', runAs: 'ghost', admin: false }, runRequest('true'));
    assert.deepEqual([ghost.state, ghost.error, ghost.user], [JobState.FAILED, 'no such user "ghost"', 'ghost']);
    assert.equal(spawner.spawns.length, 1, 'an unknown user is not even tried');
    assert.deepEqual(jobs.get(ALICE, failed.id), failed);
  }));

test('run: a request no process can start from is EBADREQUEST, naming the field', () =>
  withJobs(({ jobs, spawner }) => {
    const cases: [Parameters<typeof runRequest>, string][] = [
      [[''], 'command: empty'],
      [['a\0b'], 'command: contains a NUL byte'],
      [['ls', { args: ['ok', 'x\0'] }], 'args[1]: contains a NUL byte'],
      [['ls', { env: { 'A=B': '1' } }], 'env: "A=B" is not a variable name'],
      [['ls', { env: { A: '\0' } }], 'env.A: contains a NUL byte'],
      [['ls', { dir: '/\0' }], 'dir: contains a NUL byte'],
    ];
    for (const [args, message] of cases) {
      const err = errorOf(() => jobs.run(ALICE, runRequest(...args)));
      assert.deepEqual([err.code, err.message], ['EBADREQUEST', message]);
    }
    assert.equal(spawner.spawns.length, 0);
  }));

test('run: the exit shows as EXITED with its code or KILLED with its signal, with the end time', () =>
  withJobs(({ jobs, spawner, clock }) => {
    const a = jobs.run(ALICE, runRequest('a'));
    const b = jobs.run(ALICE, runRequest('b'));
    clock.advance(1500);
    spawner.exit(a.pid!, 3);
    spawner.exit(b.pid!, null, 'SIGSEGV');
    const exited = jobs.get(ALICE, a.id);
    assert.deepEqual([exited.state, exited.exitCode, exited.signal, exited.pid], [JobState.EXITED, 3, undefined, a.pid]);
    assert.equal(timestampMs(exited.endedAt!), FakeClock.WALL_START + 1500);
    const killed = jobs.get(ALICE, b.id);
    assert.deepEqual([killed.state, killed.exitCode, killed.signal], [JobState.KILLED, undefined, 'SIGSEGV']);
  }));

test('job_max_running: past it ETOOMANYJOBS for that identity only; a finished or failed job frees no slot it never held', () =>
  withJobs(({ jobs, spawner }) => {
    const first = jobs.run(ALICE, runRequest('1'));
    jobs.run(ALICE, runRequest('2'));
    spawner.failWith = 'broken';
    jobs.run(ALICE, runRequest('failed'));
    spawner.failWith = null;
    jobs.run(ALICE, runRequest('3'));
    const err = errorOf(() => jobs.run(ALICE, runRequest('4')));
    assert.deepEqual([err.code, err.message], ['ETOOMANYJOBS', 'alice already runs 3 jobs, the most allowed (job_max_running)']);
    assert.equal(jobs.run(BOB, runRequest('b')).state, JobState.RUNNING, 'another identity has its own limit');
    spawner.exit(first.pid!, 0);
    assert.equal(jobs.run(ALICE, runRequest('4')).state, JobState.RUNNING);
  }));

test('isolation: another identity\'s job is ENOJOB with the same text as an id that never existed; list shows only one\'s own', () =>
  withJobs(async ({ jobs, spawner, clock }) => {
    const mine = jobs.run(ALICE, runRequest('secret'));
    const theirs = jobs.run(BOB, runRequest('other'));
    const signal = new AbortController().signal;
    const asks = [
      () => jobs.get(BOB, mine.id),
      () => jobs.kill(BOB, mine.id),
      () => jobs.kill(BOB, mine.id, 'KILL'),
      () => jobs.output(BOB, mine.id, true, signal),
    ];
    const forOthers = asks.map((ask) => errorOf(ask));
    for (const err of forOthers) assert.deepEqual([err.code, err.message], ['ENOJOB', `no job "${mine.id}"`]);
    const never = errorOf(() => jobs.get(BOB, 'no-such-id'));
    assert.deepEqual([never.code, never.message.replace('no-such-id', mine.id)], ['ENOJOB', forOthers[0]!.message]);
    assert.deepEqual(spawner.spawns.length, 2);
    assert.deepEqual(jobs.list(BOB).map((j) => j.id), [theirs.id]);
    // Once it is gone, its owner gets exactly what the other identity got.
    spawner.exit(mine.pid!, 0);
    spawner.endOutput(mine.pid!);
    clock.advance(RETENTION_MS);
    await flushPromises();
    assert.deepEqual(errorOf(() => jobs.get(ALICE, mine.id)), forOthers[0]);
  }));

test('admin: sees every job, newest first, and kills another identity\'s', () =>
  withJobs(({ jobs, signaller }) => {
    const ids = [jobs.run(ALICE, runRequest('1')).id, jobs.run(BOB, runRequest('2')).id, jobs.run(ALICE, runRequest('3')).id];
    assert.deepEqual(jobs.list(ADMIN).map((j) => j.id), [...ids].reverse());
    assert.deepEqual(jobs.list(ALICE).map((j) => j.id), [ids[2], ids[0]]);
    const bobs = jobs.get(ADMIN, ids[1]!);
    jobs.kill(ADMIN, ids[1]!, 'HUP');
    assert.deepEqual(signaller.sent, [`HUP -${bobs.pid}`]);
  }));

test('kill: SIGTERM to the process group, SIGKILL after the grace to what is left of it, even once the job itself has gone', () =>
  withJobs(({ jobs, spawner, signaller, clock }) => {
    const job = jobs.run(ALICE, runRequest('forks'));
    const pid = job.pid!;
    signaller.liveGroups.add(pid); // a grandchild that ignores SIGTERM stays in the group
    jobs.kill(ALICE, job.id);
    assert.deepEqual(signaller.sent, [`TERM -${pid}`]);
    clock.advance(1000);
    spawner.exit(pid, null, 'SIGTERM');
    assert.equal(jobs.get(ALICE, job.id).state, JobState.KILLED);
    clock.advance(GRACE_MS - 1001);
    assert.deepEqual(signaller.sent, [`TERM -${pid}`]);
    clock.advance(1);
    assert.deepEqual(signaller.sent, [`TERM -${pid}`, `KILL -${pid}`]);
  }));

test('kill: no SIGKILL when the group is empty and the output closed before the grace; a second kill keeps the first deadline', () =>
  withJobs(({ jobs, spawner, signaller, clock }) => {
    const job = jobs.run(ALICE, runRequest('polite'));
    const pid = job.pid!;
    signaller.liveGroups.add(pid);
    jobs.kill(ALICE, job.id);
    clock.advance(GRACE_MS / 2);
    jobs.kill(ALICE, job.id);
    assert.deepEqual(clock.pending(), [GRACE_MS], 'one SIGKILL deadline, the first');
    signaller.liveGroups.delete(pid);
    spawner.exit(pid, 0);
    spawner.endOutput(pid);
    clock.advance(GRACE_MS);
    assert.deepEqual(signaller.sent, [`TERM -${pid}`, `TERM -${pid}`]);
    assert.equal(jobs.get(ALICE, job.id).state, JobState.EXITED);
  }));

test('kill: a given signal, by name or number, goes once to the group; a bad one is EBADSIGNAL; an ended job ENOTRUNNING', () =>
  withJobs(({ jobs, spawner, signaller, clock }) => {
    const job = jobs.run(ALICE, runRequest('x'));
    const pid = job.pid!;
    jobs.kill(ALICE, job.id, 'SIGINT');
    jobs.kill(ALICE, job.id, '9');
    jobs.kill(ALICE, job.id, 'usr1');
    clock.advance(GRACE_MS * 2);
    assert.deepEqual(signaller.sent, [`INT -${pid}`, `KILL -${pid}`, `USR1 -${pid}`]);
    const bad = errorOf(() => jobs.kill(ALICE, job.id, 'SIGFOO'));
    assert.deepEqual([bad.code, bad.message], ['EBADSIGNAL', 'no such signal: "SIGFOO"']);
    spawner.exit(pid, null, 'SIGKILL');
    const ended = errorOf(() => jobs.kill(ALICE, job.id));
    assert.deepEqual([ended.code, ended.message], ['ENOTRUNNING', `job ${job.id} is not running (KILLED)`]);
  }));

test('retention: a finished job and its spool file are removed job_retention after its end; a running one never', () =>
  withJobs(({ jobs, spawner, clock, dir }) => {
    const done = jobs.run(ALICE, runRequest('done'));
    const running = jobs.run(ALICE, runRequest('running'));
    clock.advance(1000);
    spawner.exit(done.pid!, 0);
    spawner.endOutput(done.pid!);
    assert.ok(existsSync(join(dir, `${done.id}.spool`)));
    clock.advance(RETENTION_MS - 1);
    assert.equal(jobs.get(ALICE, done.id).state, JobState.EXITED);
    clock.advance(1);
    assert.equal(errorOf(() => jobs.get(ALICE, done.id)).code, 'ENOJOB');
    assert.deepEqual(readdirSync(dir), [`${running.id}.spool`]);
    clock.advance(RETENTION_MS * 10);
    assert.equal(jobs.get(ALICE, running.id).state, JobState.RUNNING);
  }));

test('retention: a failed job is removed too', () =>
  withJobs(({ jobs, spawner, clock }) => {
    spawner.failWith = 'broken';
    const failed = jobs.run(ALICE, runRequest('x'));
    clock.advance(RETENTION_MS);
    assert.equal(errorOf(() => jobs.get(ALICE, failed.id)).code, 'ENOJOB');
  }));

test('stopAll: every running job\'s group gets SIGTERM, then SIGKILL after the grace; resolves once each has ended; then run is ESHUTDOWN', () =>
  withJobs(async ({ jobs, spawner, signaller, clock }) => {
    const polite = jobs.run(ALICE, runRequest('polite')).pid!;
    const stubborn = jobs.run(BOB, runRequest('stubborn')).pid!;
    signaller.liveGroups.add(stubborn);
    let stopped = false;
    const stopping = jobs.stopAll().then(() => (stopped = true));
    assert.deepEqual(signaller.sent, [`TERM -${polite}`, `TERM -${stubborn}`]);
    spawner.exit(polite, null, 'SIGTERM');
    spawner.endOutput(polite);
    await flushPromises();
    assert.equal(stopped, false, 'the stubborn one has not ended');
    clock.advance(GRACE_MS);
    assert.deepEqual(signaller.sent.at(-1), `KILL -${stubborn}`);
    signaller.liveGroups.delete(stubborn);
    spawner.exit(stubborn, null, 'SIGKILL');
    await stopping;
    assert.equal(errorOf(() => jobs.run(ALICE, runRequest('late'))).code, 'ESHUTDOWN');
  }));

test('removeLeftovers: only spool files by this module\'s naming are removed', () =>
  withJobs(({ dir }) => {
    const spool = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b.spool';
    for (const name of [spool, 'notes.txt', 'x.spool']) writeFileSync(join(dir, name), '');
    assert.equal(JobManager.removeLeftovers(dir), 1);
    assert.deepEqual(readdirSync(dir).sort(), ['notes.txt', 'x.spool']);
  }));

test('counts: running jobs per owner, and finished ones by how they ended, still counted after retention forgot them', () =>
  withJobs(({ jobs, spawner, clock }) => {
    const a = jobs.run(ALICE, runRequest('sleep'));
    const b = jobs.run(ALICE, runRequest('sleep'));
    jobs.run(BOB, runRequest('sleep'));
    spawner.failWith = 'nosuch: command not found in PATH';
    jobs.run(BOB, runRequest('nosuch'));
    spawner.failWith = null;
    spawner.exit(a.pid!, 0);
    spawner.exit(b.pid!, null, 'SIGKILL');
    const shown = () => {
      const { running, finished } = jobs.counts();
      return { running: Object.fromEntries(running), finished: Object.fromEntries(finished) };
    };
    const expected = {
      running: { bob: 1 },
      finished: { alice: { EXITED: 1, KILLED: 1, FAILED: 0 }, bob: { EXITED: 0, KILLED: 0, FAILED: 1 } },
    };
    assert.deepEqual(shown(), expected);
    clock.advance(RETENTION_MS);
    assert.equal(jobs.list(ADMIN).length, 1, 'retention removed the finished ones');
    assert.deepEqual(shown(), expected);
  }));
