// Whole runs of the machine with a readiness check (`ready:`, ready_timeout)
// and a watchdog (watchdog_sec), on a fake clock. The single (state, fact)
// pairs are in core-machine.test.ts's table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Effect } from '../../src/core/machine';
import { NOT_READY_EXIT } from '../../src/core/readiness';
import { PID, READY_POLICY, recordIn, run } from './core-fixtures';

const spawns = (effects: Effect[]) => effects.filter((e) => e.type === 'spawn').length;

test('never ready: each attempt is stopped at ready_timeout and counts as a failed start, then FATAL with the reason', () => {
  const policy = READY_POLICY;
  let d = run(recordIn('STOPPED', policy).rec, { type: 'start' }, 0, policy);
  let now = 0;
  let attempts = spawns(d.effects);
  const reasons: string[] = [];
  while (d.record.state.kind === 'STARTING') {
    d = run(d.record, { type: 'spawned', pid: PID }, now, policy);
    d = run(d.record, { type: 'notReady', pid: PID, reason: 'tcp 127.0.0.1:8080: connection refused' }, now + 200, policy);
    now += policy.readyTimeoutMs!;
    d = run(d.record, { type: 'tick' }, now, policy);
    assert.equal(d.record.state.kind, 'STOPPING');
    assert.deepEqual(d.effects[0], { type: 'kill', pid: PID, signal: 'TERM', group: false });
    reasons.push(...d.transitions.map((t) => t.reason));
    d = run(d.record, { type: 'exited', pid: PID, code: null, signal: 'SIGTERM' }, now + 5, policy);
    if (d.record.state.kind !== 'BACKOFF') break;
    now = d.record.state.retryAt;
    d = run(d.record, { type: 'tick' }, now, policy);
    attempts += spawns(d.effects);
  }
  const why = 'not ready after 5s (tcp 127.0.0.1:8080: connection refused)';
  assert.equal(d.record.state.kind, 'FATAL');
  assert.equal(attempts, policy.startretries + 1);
  assert.equal(d.record.spawnError, why);
  assert.deepEqual(new Set(reasons), new Set([why]));
});

test('a stop while the unready child is being stopped: STOPPED, not BACKOFF, and no retry', () => {
  const { rec, at } = recordIn('STOPPING_UNREADY', READY_POLICY);
  const stopped = run(rec, { type: 'stop' }, at + 1, READY_POLICY);
  const d = run(stopped.record, { type: 'exited', pid: PID, code: null, signal: 'SIGTERM' }, at + 2, READY_POLICY);
  assert.equal(d.record.state.kind, 'STOPPED');
  assert.deepEqual(d.effects, []);
});

test('an exit before the check passed is a failed start even after starttime, whatever the code', () => {
  const { rec } = recordIn('STARTING', READY_POLICY);
  const d = run(rec, { type: 'exited', pid: PID, code: 0, signal: null }, 4000, READY_POLICY);
  assert.equal(d.record.state.kind, 'BACKOFF');
  assert.equal(d.record.spawnError, NOT_READY_EXIT);
  assert.equal(d.record.backoff, 1);
});

test('ready ends STARTING at once, resets the retry count and says how in the transition', () => {
  const { rec, at } = recordIn('STARTING', READY_POLICY);
  const failed = run(run(rec, { type: 'exited', pid: PID, code: 1, signal: null }, at + 10, READY_POLICY).record, { type: 'tick' }, at + 1010, READY_POLICY);
  assert.equal(failed.record.state.kind, 'STARTING');
  assert.equal(failed.record.backoff, 1);
  const spawned = run(failed.record, { type: 'spawned', pid: PID + 1 }, at + 1010, READY_POLICY);
  const d = run(spawned.record, { type: 'ready', pid: PID + 1, how: 'READY=1' }, at + 1020, READY_POLICY);
  assert.equal(d.record.state.kind, 'RUNNING');
  assert.equal(d.record.backoff, 0);
  assert.equal(d.record.spawnError, null);
  assert.deepEqual(d.transitions.map((t) => t.reason), ['ready: READY=1']);
});

test('watchdog: pings keep it RUNNING; silence for watchdog_sec stops it, and it starts again once gone', () => {
  const policy = READY_POLICY;
  let { rec, at } = recordIn('RUNNING', policy);
  for (let i = 1; i <= 5; i++) {
    const d = run(rec, { type: 'watchdog', pid: PID }, at + i * 1500, policy);
    rec = run(d.record, { type: 'tick' }, at + i * 1500 + 1, policy).record;
    assert.equal(rec.state.kind, 'RUNNING', `after ping ${i}`);
  }
  at += 5 * 1500;
  const timedOut = run(rec, { type: 'tick' }, at + policy.watchdogMs!, policy);
  assert.equal(timedOut.record.state.kind, 'STOPPING');
  assert.deepEqual(timedOut.transitions.map((t) => t.reason), ['watchdog timeout (no WATCHDOG=1 for 2s)']);
  assert.equal(timedOut.record.want, 'up');
  const gone = run(timedOut.record, { type: 'exited', pid: PID, code: null, signal: 'SIGTERM' }, at + policy.watchdogMs! + 5, policy);
  assert.deepEqual(gone.transitions.map((t) => `${t.from}->${t.to}`), ['STOPPING->STOPPED', 'STOPPED->STARTING']);
  assert.equal(spawns(gone.effects), 1);
});

test('without watchdog_sec a RUNNING program has no deadline, whatever readiness it had', () => {
  const policy = { ...READY_POLICY, watchdogMs: null };
  const { rec, at } = recordIn('RUNNING', policy);
  assert.equal(rec.state.kind === 'RUNNING' && rec.state.watchdogAt, undefined);
  const d = run(rec, { type: 'tick' }, at + 1e9, policy);
  assert.equal(d.record.state.kind, 'RUNNING');
  assert.deepEqual(d.effects, []);
});
