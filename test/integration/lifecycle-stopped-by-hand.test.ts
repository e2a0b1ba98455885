// Remembered intent, with the real daemon restarted on the same directory:
// what was stopped by hand stays stopped at the next start, until started by
// hand or until its config changes.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Daemon, startDaemon, stateOf, waitFor } from './harness';
import { program, spawnCount, waitState } from './lifecycle-helpers';

const PROGRAMS = program('held', {}) + program('other', {});

/** SIGTERM, then a new daemon on the same directory (socket, logs, state) with `programs`. */
async function restart(d: Daemon, programs: string): Promise<Daemon> {
  d.proc.kill('SIGTERM');
  const { code } = await d.exited;
  assert.equal(code, 0, d.output());
  return startDaemon(programs, '', d.dir);
}

/** Runs `body` in a directory kept across daemons, removed (with the last daemon stopped) at the end. */
async function acrossRestarts(body: (first: Daemon, last: (d: Daemon) => void) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tm-intent-'));
  let current: Daemon | null = null;
  try {
    current = await startDaemon(PROGRAMS, '', dir);
    await body(current, (d) => (current = d));
  } finally {
    if (current !== null) await (current as Daemon).stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Both programs have been added once `other` (which is never stopped) is RUNNING. */
async function afterStart(d: Daemon): Promise<void> {
  await waitState(d, 'other', 'RUNNING');
}

test('stop by hand: STOPPED "stopped by hand" after a daemon restart; start by hand, and the next daemon autostarts it', () =>
  acrossRestarts(async (first, last) => {
    await waitState(first, 'held', 'RUNNING');
    const stopped = first.ctl('stop', 'held');
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.match((await stateOf(first, 'held')).description, /^stopped by hand/);
    const file = JSON.parse(readFileSync(join(first.logdir, 'stopped-by-hand.json'), 'utf8')) as { stopped_by_hand: Record<string, string> };
    assert.deepEqual(Object.keys(file.stopped_by_hand), ['held']);

    const second = await restart(first, PROGRAMS);
    last(second);
    await afterStart(second);
    const held = await stateOf(second, 'held');
    assert.deepEqual([held.state, held.description], ['STOPPED', 'stopped by hand']);
    assert.equal(spawnCount(second, 'held'), 0);
    assert.match(second.output(), /held: stopped by hand before; not started/);
    assert.match(second.ctl('status', 'held').stdout, /STOPPED +stopped by hand/);

    const started = second.ctl('start', 'held');
    assert.equal(started.code, 0, started.stderr);
    const third = await restart(second, PROGRAMS);
    last(third);
    await waitState(third, 'held', 'RUNNING');
  }));

test('a changed config forgets the stop: the next daemon autostarts the program', () =>
  acrossRestarts(async (first, last) => {
    await waitState(first, 'held', 'RUNNING');
    assert.equal(first.ctl('stop', 'held').code, 0);
    const changed = program('held', { startretries: 5 }) + program('other', {});
    const second = await restart(first, changed);
    last(second);
    await waitState(second, 'held', 'RUNNING');
  }));

test('stop all remembers every process; start all forgets them', () =>
  acrossRestarts(async (first, last) => {
    await waitState(first, 'held', 'RUNNING');
    await afterStart(first);
    assert.equal(first.ctl('stop', 'all').code, 0);
    const second = await restart(first, PROGRAMS);
    last(second);
    for (const name of ['held', 'other']) {
      const s = await waitFor(async () => (await second.status()).find((r) => r.name === name), `${name} in status`);
      assert.deepEqual([s!.state, s!.description], ['STOPPED', 'stopped by hand'], name);
    }
    assert.equal(second.ctl('start', 'all').code, 0);
    const third = await restart(second, PROGRAMS);
    last(third);
    await afterStart(third);
    await waitState(third, 'held', 'RUNNING');
  }));
