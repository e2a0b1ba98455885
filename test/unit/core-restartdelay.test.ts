// restartdelay and its growth over a crash streak: a program that dies as
// soon as it is RUNNING is restarted after 1 s, 2 s, 4 s … up to the cap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProcRecord } from '../../src/core/record';
import { PID, POLICY, recordIn, run } from './core-fixtures';

const POLICY_DELAY = { ...POLICY, autorestart: 'always' as const, starttimeMs: 0, restartdelayMs: 1000, restartdelayMaxMs: 5000 };

/** Runs the process for `ranMs`, lets it exit, returns the record and the delay chosen. */
function crash(rec: ProcRecord, now: number, ranMs: number, policy = POLICY_DELAY): { rec: ProcRecord; delay: number | null; at: number } {
  const up = run(run(rec, { type: 'spawned', pid: PID }, now, policy).record, { type: 'tick' }, now, policy).record;
  assert.equal(up.state.kind, 'RUNNING');
  const at = now + ranMs;
  const d = run(up, { type: 'exited', pid: PID, code: 1, signal: null }, at, policy);
  const state = d.record.state;
  assert.equal(state.kind, 'EXITED');
  const restartAt = state.kind === 'EXITED' ? state.restartAt : null;
  return { rec: d.record, delay: restartAt === null ? null : restartAt - at, at };
}

test('restart delays double over a crash streak and stop at restartdelay_max', () => {
  let rec = run(recordIn('STOPPED', POLICY_DELAY).rec, { type: 'start' }, 0, POLICY_DELAY).record;
  let now = 0;
  const delays: (number | null)[] = [];
  for (let i = 0; i < 5; i++) {
    const c = crash(rec, now, 10);
    delays.push(c.delay);
    const restarted = run(c.rec, { type: 'tick' }, c.at + (c.delay ?? 0), POLICY_DELAY);
    assert.deepEqual(restarted.effects.filter((e) => e.type === 'spawn'), [{ type: 'spawn' }]);
    rec = restarted.record;
    now = c.at + (c.delay ?? 0);
  }
  assert.deepEqual(delays, [1000, 2000, 4000, 5000, 5000]);
});

test('no restart before the delay has passed; a wake is asked for the right time', () => {
  const start = run(recordIn('STOPPED', POLICY_DELAY).rec, { type: 'start' }, 0, POLICY_DELAY).record;
  const c = crash(start, 0, 10);
  const early = run(c.rec, { type: 'tick' }, c.at + 999, POLICY_DELAY);
  assert.equal(early.record.state.kind, 'EXITED');
  assert.deepEqual(early.effects, [{ type: 'wake', at: c.at + 1000 }]);
});

test('a run longer than restartdelay_max ends the streak: the delay is back to restartdelay', () => {
  let rec = run(recordIn('STOPPED', POLICY_DELAY).rec, { type: 'start' }, 0, POLICY_DELAY).record;
  const first = crash(rec, 0, 10);
  rec = run(first.rec, { type: 'tick' }, first.at + 1000, POLICY_DELAY).record;
  const second = crash(rec, first.at + 1000, 10);
  assert.equal(second.delay, 2000);
  rec = run(second.rec, { type: 'tick' }, second.at + 2000, POLICY_DELAY).record;
  const long = crash(rec, second.at + 2000, 5001);
  assert.equal(long.delay, 1000);
});

test('stop during a pending restart cancels it; start restarts at once', () => {
  const startRec = run(recordIn('STOPPED', POLICY_DELAY).rec, { type: 'start' }, 0, POLICY_DELAY).record;
  const c = crash(startRec, 0, 10);
  const stopped = run(c.rec, { type: 'stop' }, c.at + 1, POLICY_DELAY);
  assert.deepEqual(stopped.reply, { ok: true });
  const later = run(stopped.record, { type: 'tick' }, c.at + 60_000, POLICY_DELAY);
  assert.equal(later.record.state.kind, 'EXITED');
  assert.deepEqual(later.effects, []);
  const again = run(crash(startRec, 0, 10).rec, { type: 'start' }, c.at + 1, POLICY_DELAY);
  assert.deepEqual(again.effects.filter((e) => e.type === 'spawn'), [{ type: 'spawn' }]);
});

test('restartdelay 0 (the default) restarts in the same decision, as supervisord does', () => {
  const { rec, at } = recordIn('RUNNING', { ...POLICY, autorestart: 'always' });
  const d = run(rec, { type: 'exited', pid: PID, code: 0, signal: null }, at + 5, { ...POLICY, autorestart: 'always' });
  assert.deepEqual(d.transitions.map((t) => t.to), ['EXITED', 'STARTING']);
});
