// Whole runs of the machine through time, as supervisord behaves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Effect } from '../../src/core/machine';
import type { ProcRecord } from '../../src/core/record';
import { PID, POLICY, recordIn, run } from './core-fixtures';

const spawns = (effects: Effect[]) => effects.filter((e) => e.type === 'spawn').length;

test('a program that always dies early is tried startretries+1 times, 1 s, 2 s, 3 s apart, then FATAL', () => {
  let { rec } = recordIn('STOPPED');
  let attempts = 0;
  const retryTimes: number[] = [];
  let d = run(rec, { type: 'start' }, 0);
  let now = 0;
  for (;;) {
    rec = d.record;
    attempts += spawns(d.effects);
    if (rec.state.kind !== 'STARTING') break;
    d = run(rec, { type: 'spawned', pid: PID }, now);
    d = run(d.record, { type: 'exited', pid: PID, code: 0, signal: null }, now + 100);
    rec = d.record;
    if (rec.state.kind !== 'BACKOFF') break;
    retryTimes.push(rec.state.retryAt - (now + 100));
    now = rec.state.retryAt;
    d = run(rec, { type: 'tick' }, now);
  }
  assert.equal(rec.state.kind, 'FATAL');
  assert.equal(attempts, POLICY.startretries + 1);
  assert.deepEqual(retryTimes, [1000, 2000, 3000]);
  assert.equal(rec.spawnError, 'Exited too quickly (process log may have details)');
});

test('startretries 0: one attempt, then FATAL', () => {
  const policy = { ...POLICY, startretries: 0 };
  const { rec } = recordIn('STARTING', policy);
  const d = run(rec, { type: 'exited', pid: PID, code: 1, signal: null }, 10, policy);
  assert.equal(d.record.state.kind, 'FATAL');
  assert.deepEqual(d.transitions.map((t) => t.to), ['BACKOFF', 'FATAL']);
});

test('a spawn failure counts as a failed attempt and keeps its reason', () => {
  const { rec } = recordIn('FATAL');
  assert.equal(rec.state.kind, 'FATAL');
  assert.equal(rec.spawnError, 'no such file');
  assert.equal(rec.want, 'down');
});

test('start after FATAL resets the retry count', () => {
  const { rec } = recordIn('FATAL');
  const d = run(rec, { type: 'start' }, 200_000);
  assert.equal(d.record.backoff, 0);
  assert.equal(d.record.spawnError, null);
  const f = run(run(d.record, { type: 'spawned', pid: PID }, 200_000).record, { type: 'exited', pid: PID, code: 1, signal: null }, 200_001);
  assert.equal(f.record.state.kind, 'BACKOFF');
  assert.equal(f.record.backoff, 1);
});

test('reaching RUNNING resets the retry count', () => {
  const { rec, at } = recordIn('BACKOFF');
  assert.equal(rec.backoff, 1);
  const retry = run(rec, { type: 'tick' }, at + 1000);
  const up = run(run(retry.record, { type: 'spawned', pid: PID }, at + 1000).record, { type: 'tick' }, at + 2000);
  assert.equal(up.record.state.kind, 'RUNNING');
  assert.equal(up.record.backoff, 0);
});

test('a death by signal is never expected, even with its number in exitcodes', () => {
  const policy = { ...POLICY, exitcodes: [0, 9, 15] };
  const { rec, at } = recordIn('RUNNING', policy);
  const d = run(rec, { type: 'exited', pid: PID, code: null, signal: 'SIGKILL' }, at + 5, policy);
  assert.equal(d.record.lastExit?.expected, false);
  assert.deepEqual(d.transitions.map((t) => t.to), ['EXITED', 'STARTING']);
});

test('exitcodes [0, 2]: exit 2 is expected and not restarted under autorestart unexpected', () => {
  const policy = { ...POLICY, exitcodes: [0, 2] };
  const { rec, at } = recordIn('RUNNING', policy);
  const d = run(rec, { type: 'exited', pid: PID, code: 2, signal: null }, at + 5, policy);
  assert.equal(d.record.state.kind, 'EXITED');
  assert.equal(d.record.lastExit?.expected, true);
});

test('autorestart always restarts an expected exit; never leaves an unexpected one EXITED', () => {
  const always = { ...POLICY, autorestart: 'always' as const };
  const a = recordIn('RUNNING', always);
  const da = run(a.rec, { type: 'exited', pid: PID, code: 0, signal: null }, a.at + 5, always);
  assert.equal(da.record.state.kind, 'STARTING');
  const never = { ...POLICY, autorestart: 'never' as const };
  const n = recordIn('RUNNING', never);
  const dn = run(n.rec, { type: 'exited', pid: PID, code: 1, signal: null }, n.at + 5, never);
  assert.equal(dn.record.state.kind, 'EXITED');
  assert.equal(dn.record.spawnError, 'Bad exit (exit status 1)');
});

test('stopasgroup signals the group; killasgroup sends the group SIGKILL after stoptime', () => {
  const policy = { ...POLICY, stopasgroup: true, killasgroup: true, stopsignal: 'INT' };
  const { rec, at } = recordIn('RUNNING', policy);
  const stopping = run(rec, { type: 'stop' }, at, policy);
  assert.deepEqual(stopping.effects[0], { type: 'kill', pid: PID, signal: 'INT', group: true });
  const killed = run(stopping.record, { type: 'tick' }, at + policy.stoptimeMs, policy);
  assert.deepEqual(killed.effects, [{ type: 'kill', pid: PID, signal: 'KILL', group: true }]);
  const again = run(killed.record, { type: 'tick' }, at + 2 * policy.stoptimeMs, policy);
  assert.deepEqual(again.effects, [], 'SIGKILL is sent once');
});

test('starttime 0: RUNNING as soon as the pid is known', () => {
  const policy = { ...POLICY, starttimeMs: 0 };
  const { rec } = recordIn('STARTING_NOPID', policy);
  const d = run(rec, { type: 'spawned', pid: PID }, 0, policy);
  assert.equal(d.record.state.kind, 'RUNNING');
});

test('stop before the pid is known: the stop signal goes out when it is', () => {
  const { rec } = recordIn('STARTING_NOPID');
  const stopping = run(rec, { type: 'stop' }, 0);
  assert.equal(stopping.record.state.kind, 'STOPPING');
  const d = run(stopping.record, { type: 'spawned', pid: 55 }, 1);
  assert.deepEqual(d.effects[0], { type: 'kill', pid: 55, signal: 'TERM', group: false });
  const failed = run(stopping.record, { type: 'spawnFailed', reason: 'EACCES' }, 1);
  assert.equal(failed.record.state.kind, 'STOPPED');
});

test('start during STOPPING restarts once the child is gone (desired state wins)', () => {
  const { rec, at } = recordIn('STOPPING');
  const d1 = run(rec, { type: 'start' }, at + 1);
  assert.equal(d1.record.want, 'up');
  const d2 = run(d1.record, { type: 'exited', pid: PID, code: null, signal: 'SIGTERM' }, at + 2);
  assert.deepEqual(d2.transitions.map((t) => `${t.from}->${t.to}`), ['STOPPING->STOPPED', 'STOPPED->STARTING']);
  assert.deepEqual(d2.effects, [{ type: 'spawn' }]);
});

test('stop in BACKOFF drops the pending retry', () => {
  const { rec, at } = recordIn('BACKOFF');
  const d = run(rec, { type: 'stop' }, at);
  const later = run(d.record, { type: 'tick' }, at + 60_000);
  assert.equal(later.record.state.kind, 'STOPPED');
  assert.deepEqual(later.effects, []);
});

test('a late exit report for another pid is refused', () => {
  const { rec, at } = recordIn('RUNNING');
  assert.throws(() => run(rec, { type: 'exited', pid: PID + 1, code: 0, signal: null }, at), /reported for pid 100/);
});

test('decisions do not mutate the record they were given', () => {
  const { rec, at } = recordIn('RUNNING');
  const before: ProcRecord = structuredClone(rec);
  run(rec, { type: 'stop' }, at);
  assert.deepEqual(rec, before);
});
