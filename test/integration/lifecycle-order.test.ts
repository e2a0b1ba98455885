// Priority order (lower starts first, stops last) and the daemon's own
// shutdown on SIGTERM/SIGINT: every program stopped, exit 0, no child left.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { alive, startDaemon } from './harness';
import { logIndex, program, spawnOrder, waitHandlersReady, waitLog, waitState, withDaemon, withScratch } from './lifecycle-helpers';

// Written in the file against priority order, so file order cannot pass for it.
const BY_PRIORITY = program('last', { priority: 900 }) + program('first', { priority: 10 }) + program('middle', { priority: 500 });

test('priority: lower priority is spawned first at daemon start', () =>
  withDaemon(BY_PRIORITY, async (d) => {
    for (const name of ['first', 'middle', 'last']) await waitState(d, name, 'RUNNING');
    await waitLog(d, 'spawned: last');
    assert.deepEqual(spawnOrder(d), ['first', 'middle', 'last']);
  }));

test('priority: stop all stops the highest priority number first, each level STOPPED before the next is signalled', () =>
  withDaemon(BY_PRIORITY, async (d) => {
    for (const name of ['first', 'middle', 'last']) await waitState(d, name, 'RUNNING');
    const r = d.ctl('stop', 'all');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    await waitLog(d, 'first: STOPPING → STOPPED');
    const stopped = (name: string) => logIndex(d, `${name}: STOPPING → STOPPED`);
    const signalled = (name: string) => logIndex(d, `sent SIGTERM to ${name}`);
    assert.ok(stopped('last') >= 0 && stopped('last') < signalled('middle'), d.output());
    assert.ok(stopped('middle') >= 0 && stopped('middle') < signalled('first'), d.output());
  }));

test('priority: ctl start all spawns in priority order', () =>
  withDaemon(BY_PRIORITY.replace(/priority/g, 'autostart: false\n    priority'), async (d) => {
    const r = d.ctl('start', 'all');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    await waitLog(d, 'spawned: last');
    assert.deepEqual(spawnOrder(d), ['first', 'middle', 'last']);
  }));

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} to the daemon stops every program (SIGKILL after stoptime for one ignoring TERM), exits 0, leaves no child`, () =>
    withScratch(async (dir) => {
      const pidFile = join(dir, 'stubborn.pid');
      const programs =
        program('plain', { numprocs: 2 }) +
        program('stubborn', { stoptime: 0.5, env: { CHILD_IGNORE: 'TERM', CHILD_PID_FILE: pidFile } });
      const d = await startDaemon(programs);
      const pids: number[] = [];
      try {
        for (const name of ['plain:0', 'plain:1', 'stubborn']) pids.push((await waitState(d, name, 'RUNNING')).pid!);
        await waitHandlersReady(pidFile, pids[2]!);
        d.proc.kill(signal);
        const end = await d.exited;
        await waitLog(d, 'all programs stopped; exiting');
        assert.deepEqual(end, { code: 0, signal: null }, d.output());
        for (const pid of pids) assert.equal(alive(pid), false, `pid ${pid} survived the daemon`);
        const term = logIndex(d, 'sent SIGTERM to stubborn');
        const kill = logIndex(d, 'sent SIGKILL to stubborn');
        assert.ok(term >= 0 && term < kill, `stubborn got TERM, then KILL after stoptime:\n${d.output()}`);
      } finally {
        for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
        await d.stop();
      }
    }));
}
