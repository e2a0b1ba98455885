// Stopping: stopsignal, SIGKILL after stoptime, and stopasgroup/killasgroup
// reaching (or not) the rest of the child's process group.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { alive, readText, stateOf, waitFor } from './harness';
import { killQuietly, logIndex, program, readPid, waitHandlersReady, waitLog, waitState, withDaemon, withDaemonIn, withScratch } from './lifecycle-helpers';

test('a child ignoring SIGTERM is sent SIGKILL after stoptime and ends STOPPED, terminated by SIGKILL', () =>
  withDaemonIn((dir) => program('stubborn', { stoptime: 0.5, env: { CHILD_IGNORE: 'TERM', CHILD_PID_FILE: join(dir, 'pid') } }), async (d, dir) => {
    const { pid } = await waitState(d, 'stubborn', 'RUNNING');
    await waitHandlersReady(join(dir, 'pid'), pid!);
    const r = d.ctl('stop', 'stubborn');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const s = await stateOf(d, 'stubborn');
    assert.equal(s.state, 'STOPPED');
    assert.equal(s.exitsignal, 'SIGKILL');
    assert.equal(alive(pid!), false);
    await waitLog(d, 'sent SIGKILL to stubborn');
    const term = logIndex(d, 'sent SIGTERM to stubborn');
    assert.ok(term >= 0 && term < logIndex(d, 'sent SIGKILL to stubborn'), d.output());
  }));

test('stopsignal INT is what stop sends: a child that ignores TERM dies by SIGINT', () =>
  // stoptime is long: had TERM been sent instead, the end would be SIGKILL.
  withDaemonIn((dir) => program('p', { stopsignal: 'INT', stoptime: 20, env: { CHILD_IGNORE: 'TERM', CHILD_PID_FILE: join(dir, 'pid') } }), async (d, dir) => {
    const { pid } = await waitState(d, 'p', 'RUNNING');
    await waitHandlersReady(join(dir, 'pid'), pid!);
    assert.equal(d.ctl('stop', 'p').code, 0);
    const s = await stateOf(d, 'p');
    assert.equal(s.state, 'STOPPED');
    assert.equal(s.exitsignal, 'SIGINT');
  }));

test('a child that handles the stopsignal and exits 0 ends STOPPED with exit status 0, no SIGKILL', () =>
  withDaemonIn((dir) => program('p', { stoptime: 20, env: { CHILD_ON_SIGNAL_EXIT: '0', CHILD_PID_FILE: join(dir, 'pid') } }), async (d, dir) => {
    const { pid } = await waitState(d, 'p', 'RUNNING');
    await waitHandlersReady(join(dir, 'pid'), pid!);
    assert.equal(d.ctl('stop', 'p').code, 0);
    const s = await stateOf(d, 'p');
    assert.equal(s.state, 'STOPPED');
    assert.equal(s.exitcode, 0);
    await waitLog(d, 'p: STOPPING → STOPPED');
    assert.equal(logIndex(d, 'sent SIGKILL to p'), -1);
  }));

/**
 * Stops a child whose grandchild shares its process group, both ignoring
 * SIGTERM so that only SIGKILL ends them, then runs `check`. Whatever
 * survives is killed afterwards.
 */
function stopStubbornFamily(
  groupSettings: Record<string, boolean>,
  check: (child: number, grandchild: number) => Promise<void>,
): Promise<void> {
  return withScratch(async (dir) => {
    const gfile = join(dir, 'grandchild.pid');
    const env = { CHILD_IGNORE: 'TERM', CHILD_GRANDCHILD_PID_FILE: gfile };
    try {
      await withDaemon(program('fam', { stoptime: 0.5, ...groupSettings, env }), async (d) => {
        const { pid } = await waitState(d, 'fam', 'RUNNING');
        const grandchild = (await waitFor(() => readPid(gfile), 'grandchild pid file'))!;
        assert.ok(alive(grandchild));
        const r = d.ctl('stop', 'fam');
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const s = await stateOf(d, 'fam');
        assert.equal(s.state, 'STOPPED');
        assert.equal(s.exitsignal, 'SIGKILL');
        await check(pid!, grandchild);
      });
    } finally {
      killQuietly(readPid(gfile));
    }
  });
}

test('stopasgroup + killasgroup: after stop neither the child nor its TERM-ignoring grandchild survives', () =>
  stopStubbornFamily({ stopasgroup: true, killasgroup: true }, async (child, grandchild) => {
    assert.equal(alive(child), false);
    await waitFor(() => !alive(grandchild), 'grandchild to be gone'); // orphaned: init reaps it
  }));

test('killasgroup alone: the SIGKILL after stoptime reaches the grandchild too', () =>
  stopStubbornFamily({ stopasgroup: false, killasgroup: true }, async (child, grandchild) => {
    assert.equal(alive(child), false);
    await waitFor(() => !alive(grandchild), 'grandchild to be gone');
  }));

test('without stopasgroup/killasgroup the TERM-ignoring grandchild survives the stop (signals go to the child only)', () =>
  stopStubbornFamily({ stopasgroup: false, killasgroup: false }, async (child, grandchild) => {
    assert.equal(alive(child), false);
    assert.equal(alive(grandchild), true);
  }));

/** A shell wrapper with a background job, the usual reason for stopasgroup. */
function stopShellWithJob(stopasgroup: boolean, check: (job: number) => Promise<void>): Promise<void> {
  return withScratch(async (dir) => {
    const jobFile = join(dir, 'job.pid');
    const cmd = `/bin/sh -c 'sleep 1000 & echo $! > ${jobFile}; wait'`;
    try {
      await withDaemon(program('wrapper', { cmd, stopasgroup }), async (d) => {
        await waitState(d, 'wrapper', 'RUNNING');
        const job = (await waitFor(() => readPid(jobFile), 'background job pid'))!;
        assert.equal(d.ctl('stop', 'wrapper').code, 0);
        assert.equal((await stateOf(d, 'wrapper')).exitsignal, 'SIGTERM');
        await check(job);
      });
    } finally {
      killQuietly(readPid(jobFile));
    }
  });
}

test('stopasgroup: SIGTERM reaches the background job of a shell wrapper, which dies with it', () =>
  stopShellWithJob(true, async (job) => {
    await waitFor(() => !alive(job), 'background job to be gone');
  }));

test('without stopasgroup the background job of a shell wrapper outlives the stop', () =>
  stopShellWithJob(false, async (job) => {
    assert.equal(alive(job), true);
  }));

test('killasgroup: a grandchild ignoring TERM is killed at stoptime even though the child died on TERM', () =>
  withScratch(async (dir) => {
    const gfile = join(dir, 'grandchild.pid');
    // Only the grandchild ignores TERM: the child dies at once, its group lives on.
    const env = { CHILD_GRANDCHILD_PID_FILE: gfile };
    try {
      await withDaemon(program('fam', { stoptime: 0.5, stopasgroup: true, killasgroup: true, env }), async (d) => {
        await waitState(d, 'fam', 'RUNNING');
        const grandchild = (await waitFor(() => readPid(gfile), 'grandchild pid file'))!;
        // Its TERM handler must be in place, or TERM alone would kill it.
        await waitFor(() => catchesSignal(grandchild, 15), 'grandchild to catch SIGTERM');
        assert.equal(d.ctl('stop', 'fam').code, 0);
        assert.equal((await stateOf(d, 'fam')).exitsignal, 'SIGTERM');
        await waitFor(() => !alive(grandchild), 'grandchild to be killed after stoptime');
        await waitLog(d, 'sent SIGKILL to fam (group');
      });
    } finally {
      killQuietly(readPid(gfile));
    }
  }));

/** Whether /proc says the process has a handler for signal number `sig`. */
function catchesSignal(pid: number, sig: number): boolean {
  const status = readText(`/proc/${pid}/status`);
  const mask = /SigCgt:\s*([0-9a-f]+)/.exec(status)?.[1];
  return mask !== undefined && (BigInt(`0x${mask}`) & (1n << BigInt(sig - 1))) !== 0n;
}
