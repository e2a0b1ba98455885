// The pure decisions of health checks (core/health.ts): every (state, probe
// result, start_period, retries, action) case, with the clock as a number.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failureSummary, type HealthPolicy, type HealthRecord, type HealthState, judgeProbe, newHealth } from '../../src/core/health';

const RESTART: HealthPolicy = { retries: 3, startPeriodMs: 0, action: 'restart' };
const MARK: HealthPolicy = { ...RESTART, action: 'mark' };
const T0 = 5_000; // when the run entered RUNNING

function rec(state: HealthState, failures = 0, lastFailure: string | null = null): HealthRecord {
  return { state, failures, lastFailure, runStartedAt: T0 };
}

/** Feeds results one per second from T0 + 1s; returns every verdict. */
function feed(results: (string | null)[], policy: HealthPolicy, start = newHealth(T0)) {
  let r = start;
  return results.map((failure, i) => {
    const v = judgeProbe(r, failure, T0 + (i + 1) * 1000, policy);
    r = v.record;
    return v;
  });
}

test('a new run starts as starting, no failures, the time it began', () => {
  assert.deepEqual(newHealth(T0), { state: 'starting', failures: 0, lastFailure: null, runStartedAt: T0 });
});

// [from, result, to, failures after, change]
const PASS_ROWS: [HealthState, number, HealthState, number, string][] = [
  ['starting', 0, 'healthy', 0, 'healthy'],
  ['starting', 2, 'healthy', 0, 'healthy'],
  ['healthy', 0, 'healthy', 0, 'none'],
  ['healthy', 2, 'healthy', 0, 'none'],
  ['unhealthy', 3, 'healthy', 0, 'recovered'],
  ['unhealthy', 9, 'healthy', 0, 'recovered'],
];

test('a pass: healthy, the streak of failures reset, the last failure kept; never a restart', () => {
  for (const [from, failures, to, after, change] of PASS_ROWS) {
    for (const policy of [RESTART, MARK]) {
      const v = judgeProbe(rec(from, failures, 'HTTP 503'), null, T0 + 60_000, policy);
      assert.deepEqual([v.record.state, v.record.failures, v.record.lastFailure, v.change, v.restart], [to, after, 'HTTP 503', change, null], `${from} ${failures}`);
    }
  }
});

test('failures in a row: unhealthy at the retries-th, restart with the reason (action restart)', () => {
  const vs = feed(['connection refused', 'HTTP 500', 'HTTP 503'], RESTART);
  assert.deepEqual(vs.map((v) => [v.record.state, v.record.failures, v.change, v.restart]), [
    ['starting', 1, 'none', null],
    ['starting', 2, 'none', null],
    ['unhealthy', 3, 'unhealthy', 'health check failed 3 times: HTTP 503'],
  ]);
  assert.equal(vs[2]!.record.lastFailure, 'HTTP 503');
});

test('the same from healthy; a pass in between starts the count again', () => {
  const vs = feed(['x', 'x', null, 'a', 'b', 'c'], RESTART, rec('healthy'));
  assert.deepEqual(vs.map((v) => v.record.failures), [1, 2, 0, 1, 2, 3]);
  assert.deepEqual(vs.map((v) => v.change), ['none', 'none', 'none', 'none', 'none', 'unhealthy']);
  assert.equal(vs[5]!.restart, 'health check failed 3 times: c');
});

test('action mark: unhealthy with the reason, no restart; later failures count on without a new change', () => {
  const vs = feed(['a', 'b', 'c', 'd', 'e'], MARK, rec('healthy'));
  assert.deepEqual(vs.map((v) => [v.record.state, v.change, v.restart]), [
    ['healthy', 'none', null],
    ['healthy', 'none', null],
    ['unhealthy', 'unhealthy', null],
    ['unhealthy', 'none', null],
    ['unhealthy', 'none', null],
  ]);
  assert.deepEqual([vs[4]!.record.failures, vs[4]!.record.lastFailure], [5, 'e']);
});

test('action restart: once unhealthy, further failures ask for no second restart', () => {
  const v = judgeProbe(rec('unhealthy', 3, 'HTTP 503'), 'HTTP 503', T0 + 10_000, RESTART);
  assert.deepEqual([v.record.failures, v.change, v.restart], [4, 'none', null]);
});

test('retries 1: the first counted failure is enough', () => {
  const v = judgeProbe(rec('healthy'), 'exit status 1', T0 + 1, { ...RESTART, retries: 1 });
  assert.deepEqual([v.record.state, v.restart], ['unhealthy', 'health check failed 1 time: exit status 1']);
});

test('start_period: failures before it ends are not counted while starting, but their reason is shown', () => {
  const policy = { ...RESTART, retries: 1, startPeriodMs: 10_000 };
  const inside = judgeProbe(newHealth(T0), 'connection refused', T0 + 9_999, policy);
  assert.deepEqual(inside.record, { state: 'starting', failures: 0, lastFailure: 'connection refused', runStartedAt: T0 });
  assert.deepEqual([inside.change, inside.restart], ['none', null]);
  // At start_period's end exactly, failures count.
  const atEnd = judgeProbe(inside.record, 'connection refused', T0 + 10_000, policy);
  assert.deepEqual([atEnd.record.state, atEnd.change, atEnd.restart], ['unhealthy', 'unhealthy', 'health check failed 1 time: connection refused']);
});

test('start_period: a pass within it ends it — a failure after the pass counts at once', () => {
  const policy = { ...RESTART, retries: 1, startPeriodMs: 60_000 };
  const passed = judgeProbe(newHealth(T0), null, T0 + 1_000, policy);
  assert.equal(passed.change, 'healthy');
  const failed = judgeProbe(passed.record, 'HTTP 500', T0 + 2_000, policy);
  assert.deepEqual([failed.record.state, failed.restart], ['unhealthy', 'health check failed 1 time: HTTP 500']);
});

test('start_period: many ignored failures, then counted ones reach retries only after it', () => {
  const policy = { ...MARK, retries: 2, startPeriodMs: 5_500 };
  // Probes at T0+1s … T0+8s: the first five are inside the period.
  const vs = feed(Array.from({ length: 8 }, () => 'timed out after 5s'), policy);
  assert.deepEqual(vs.map((v) => v.record.failures), [0, 0, 0, 0, 0, 1, 2, 3]);
  assert.deepEqual(vs.map((v) => v.change), ['none', 'none', 'none', 'none', 'none', 'none', 'unhealthy', 'none']);
});

test('the record given is never changed (the caller keeps the old one until it stores the new)', () => {
  const before = rec('healthy', 2, 'x');
  const copy = structuredClone(before);
  judgeProbe(before, 'y', T0 + 1, RESTART);
  judgeProbe(before, null, T0 + 1, RESTART);
  assert.deepEqual(before, copy);
});

test('failureSummary: one wording, singular and plural', () => {
  assert.equal(failureSummary(1, 'HTTP 503'), 'health check failed 1 time: HTTP 503');
  assert.equal(failureSummary(3, 'HTTP 503'), 'health check failed 3 times: HTTP 503');
});
