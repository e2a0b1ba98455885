// Every (state, input) pair of the per-process machine, with a fake clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Command, Effect, Fact } from '../../src/core/machine';
import { ALLOWED_TRANSITIONS, ALL_STATES, type StateKind } from '../../src/core/states';
import { PID, POLICY, READY_POLICY, recordIn, run, seenTransitions } from './core-fixtures';

type From = StateKind | 'STARTING_NOPID' | 'STOPPING_UNREADY';
interface Row {
  from: From;
  /** READY_POLICY: with a readiness check and a watchdog; POLICY otherwise. */
  ready?: true;
  input: (at: number) => { input: Command | Fact; now: number };
  label: string;
  to?: StateKind;
  throws?: RegExp;
  reply?: 'ok' | 'ENOTRUNNING' | 'EALREADY';
  effects?: Effect[] | ((at: number) => Effect[]);
}

const start = (at: number) => ({ input: { type: 'start' } as Command, now: at });
const stop = (at: number) => ({ input: { type: 'stop' } as Command, now: at });
const detach = (at: number) => ({ input: { type: 'detach' } as Command, now: at });
const restart = (at: number) => ({ input: { type: 'restart', reason: 'health check failed 3 times: HTTP 503' } as Command, now: at });
const spawned = (at: number) => ({ input: { type: 'spawned', pid: 7 } as Fact, now: at });
const failed = (at: number) => ({ input: { type: 'spawnFailed', reason: 'ENOENT' } as Fact, now: at });
const exit0 = (dt: number) => (at: number) => ({ input: { type: 'exited', pid: PID, code: 0, signal: null } as Fact, now: at + dt });
const exit1 = (dt: number) => (at: number) => ({ input: { type: 'exited', pid: PID, code: 1, signal: null } as Fact, now: at + dt });
const tick = (dt: number) => (at: number) => ({ input: { type: 'tick' } as Fact, now: at + dt });

const ready = (pid: number) => (at: number) => ({ input: { type: 'ready', pid, how: 'test' } as Fact, now: at + 1 });
const notReady = (at: number) => ({ input: { type: 'notReady', pid: PID, reason: 'connection refused' } as Fact, now: at + 1 });
const watchdog = (dt: number) => (at: number) => ({ input: { type: 'watchdog', pid: PID } as Fact, now: at + dt });

const TERM: Effect = { type: 'kill', pid: PID, signal: 'TERM', group: false };

// Readiness facts (ready, notReady, watchdog) in every state. Without a
// readiness check (POLICY) they change nothing but a `ready` in STARTING;
// with one (READY_POLICY) starttime plays no part.
const READINESS_ROWS: Row[] = [
  { from: 'STOPPED', label: 'ready', input: ready(PID), to: 'STOPPED', effects: [] },
  { from: 'STOPPED', label: 'notReady', input: notReady, to: 'STOPPED', effects: [] },
  { from: 'STOPPED', label: 'watchdog', input: watchdog(1), to: 'STOPPED', effects: [] },
  { from: 'STARTING_NOPID', label: 'ready', input: ready(PID), to: 'STARTING', effects: [] },
  { from: 'STARTING_NOPID', label: 'notReady', input: notReady, to: 'STARTING', effects: [] },
  { from: 'STARTING_NOPID', label: 'watchdog', input: watchdog(1), to: 'STARTING', effects: [] },
  { from: 'STARTING', label: 'ready', input: ready(PID), to: 'RUNNING', effects: [] },
  { from: 'STARTING', label: 'ready of another pid', input: ready(PID + 1), to: 'STARTING', effects: [{ type: 'wake', at: 1000 }] },
  { from: 'STARTING', label: 'notReady', input: notReady, to: 'STARTING', effects: [{ type: 'wake', at: 1000 }] },
  { from: 'STARTING', label: 'watchdog', input: watchdog(1), to: 'STARTING', effects: [{ type: 'wake', at: 1000 }] },
  { from: 'RUNNING', label: 'ready', input: ready(PID), to: 'RUNNING', effects: [] },
  { from: 'RUNNING', label: 'notReady', input: notReady, to: 'RUNNING', effects: [] },
  { from: 'RUNNING', label: 'watchdog without watchdog_sec', input: watchdog(1), to: 'RUNNING', effects: [] },
  { from: 'BACKOFF', label: 'ready', input: ready(PID), to: 'BACKOFF', effects: [{ type: 'wake', at: 1010 }] },
  { from: 'BACKOFF', label: 'notReady', input: notReady, to: 'BACKOFF', effects: [{ type: 'wake', at: 1010 }] },
  { from: 'BACKOFF', label: 'watchdog', input: watchdog(1), to: 'BACKOFF', effects: [{ type: 'wake', at: 1010 }] },
  { from: 'STOPPING', label: 'ready', input: ready(PID), to: 'STOPPING', effects: (at) => [{ type: 'wake', at: at + 10_000 }] },
  { from: 'STOPPING', label: 'notReady', input: notReady, to: 'STOPPING', effects: (at) => [{ type: 'wake', at: at + 10_000 }] },
  { from: 'STOPPING', label: 'watchdog', input: watchdog(1), to: 'STOPPING', effects: (at) => [{ type: 'wake', at: at + 10_000 }] },
  { from: 'EXITED', label: 'ready', input: ready(PID), to: 'EXITED', effects: [] },
  { from: 'EXITED', label: 'notReady', input: notReady, to: 'EXITED', effects: [] },
  { from: 'EXITED', label: 'watchdog', input: watchdog(1), to: 'EXITED', effects: [] },
  { from: 'FATAL', label: 'ready', input: ready(PID), to: 'FATAL', effects: [] },
  { from: 'FATAL', label: 'notReady', input: notReady, to: 'FATAL', effects: [] },
  { from: 'FATAL', label: 'watchdog', input: watchdog(1), to: 'FATAL', effects: [] },

  { ready: true, from: 'STARTING', label: 'ready (check passed): RUNNING, watchdog armed', input: ready(PID), to: 'RUNNING', effects: [{ type: 'wake', at: 2001 }] },
  { ready: true, from: 'STARTING', label: 'ready of an earlier child', input: ready(PID + 1), to: 'STARTING', effects: [{ type: 'wake', at: 5000 }] },
  { ready: true, from: 'STARTING', label: 'notReady kept for the timeout reason', input: notReady, to: 'STARTING', effects: [{ type: 'wake', at: 5000 }] },
  { ready: true, from: 'STARTING', label: 'tick at starttime: still waiting for the check', input: tick(1000), to: 'STARTING', effects: [{ type: 'wake', at: 5000 }] },
  { ready: true, from: 'STARTING', label: 'tick at ready_timeout: stopped', input: tick(5000), to: 'STOPPING', effects: [TERM, { type: 'wake', at: 15_000 }] },
  { ready: true, from: 'STARTING', label: 'exit 0 after starttime, before ready: failed start', input: exit0(3000), to: 'BACKOFF', effects: [{ type: 'wake', at: 4000 }] },
  { ready: true, from: 'RUNNING', label: 'watchdog ping moves the deadline', input: watchdog(1500), to: 'RUNNING', effects: (at) => [{ type: 'wake', at: at + 3500 }] },
  { ready: true, from: 'RUNNING', label: 'tick before the watchdog deadline', input: tick(1999), to: 'RUNNING', effects: (at) => [{ type: 'wake', at: at + 2000 }] },
  { ready: true, from: 'RUNNING', label: 'tick at the watchdog deadline: stopped to restart', input: tick(2000), to: 'STOPPING', effects: (at) => [TERM, { type: 'wake', at: at + 12_000 }] },
  { ready: true, from: 'STOPPING_UNREADY', label: 'exited: a failed start', input: exit1(5), to: 'BACKOFF', effects: (at) => [{ type: 'wake', at: at + 1005 }] },
  { ready: true, from: 'STOPPING_UNREADY', label: 'tick at stoptime', input: tick(10_000), to: 'STOPPING', effects: [{ type: 'kill', pid: PID, signal: 'KILL', group: false }] },
];

const ROWS: Row[] = [
  { from: 'STOPPED', label: 'start', input: start, to: 'STARTING', reply: 'ok', effects: [{ type: 'spawn' }] },
  { from: 'STOPPED', label: 'stop', input: stop, to: 'STOPPED', reply: 'ENOTRUNNING', effects: [] },
  { from: 'STOPPED', label: 'detach', input: detach, to: 'STOPPED', reply: 'ENOTRUNNING', effects: [] },
  { from: 'STOPPED', label: 'spawned', input: spawned, throws: /in STOPPED/ },
  { from: 'STOPPED', label: 'spawnFailed', input: failed, throws: /in STOPPED/ },
  { from: 'STOPPED', label: 'exited', input: exit0(0), throws: /in STOPPED/ },
  { from: 'STOPPED', label: 'tick', input: tick(5000), to: 'STOPPED', effects: [] },

  { from: 'STARTING_NOPID', label: 'start', input: start, to: 'STARTING', reply: 'EALREADY', effects: [] },
  { from: 'STARTING_NOPID', label: 'stop', input: stop, to: 'STOPPING', reply: 'ok', effects: [] },
  { from: 'STARTING_NOPID', label: 'detach', input: detach, to: 'STARTING', reply: 'ENOTRUNNING', effects: [] },
  { from: 'STARTING_NOPID', label: 'spawned', input: spawned, to: 'STARTING', effects: [{ type: 'wake', at: 1000 }] },
  { from: 'STARTING_NOPID', label: 'spawnFailed', input: failed, to: 'BACKOFF', effects: [{ type: 'wake', at: 1000 }] },
  { from: 'STARTING_NOPID', label: 'exited', input: exit0(0), throws: /pid 100 reported for pid null/ },
  { from: 'STARTING_NOPID', label: 'tick', input: tick(5000), to: 'STARTING', effects: [] },

  { from: 'STARTING', label: 'start', input: start, to: 'STARTING', reply: 'EALREADY', effects: [{ type: 'wake', at: 1000 }] },
  { from: 'STARTING', label: 'stop', input: stop, to: 'STOPPING', reply: 'ok', effects: [TERM, { type: 'wake', at: 10_000 }] },
  { from: 'STARTING', label: 'detach', input: detach, to: 'STOPPED', reply: 'ok', effects: [{ type: 'release', pid: PID }] },
  { from: 'STARTING', label: 'spawned', input: spawned, throws: /spawned pid 7 reported in STARTING/ },
  { from: 'STARTING', label: 'spawnFailed', input: failed, throws: /in STARTING/ },
  { from: 'STARTING', label: 'exit 0 before starttime', input: exit0(999), to: 'BACKOFF', effects: [{ type: 'wake', at: 1999 }] },
  { from: 'STARTING', label: 'exit 0 at starttime', input: exit0(1000), to: 'EXITED', effects: [] },
  { from: 'STARTING', label: 'exit 1 at starttime', input: exit1(1000), to: 'STARTING', effects: [{ type: 'spawn' }] },
  { from: 'STARTING', label: 'tick before starttime', input: tick(999), to: 'STARTING', effects: [{ type: 'wake', at: 1000 }] },
  { from: 'STARTING', label: 'tick at starttime', input: tick(1000), to: 'RUNNING', effects: [] },

  { from: 'RUNNING', label: 'start', input: start, to: 'RUNNING', reply: 'EALREADY', effects: [] },
  { from: 'RUNNING', label: 'stop', input: stop, to: 'STOPPING', reply: 'ok', effects: (at) => [TERM, { type: 'wake', at: at + 10_000 }] },
  { from: 'RUNNING', label: 'detach', input: detach, to: 'STOPPED', reply: 'ok', effects: [{ type: 'release', pid: PID }] },
  { from: 'RUNNING', label: 'spawned', input: spawned, throws: /in RUNNING/ },
  { from: 'RUNNING', label: 'spawnFailed', input: failed, throws: /in RUNNING/ },
  { from: 'RUNNING', label: 'expected exit', input: exit0(5), to: 'EXITED', effects: [] },
  { from: 'RUNNING', label: 'unexpected exit', input: exit1(5), to: 'STARTING', effects: [{ type: 'spawn' }] },
  { from: 'RUNNING', label: 'tick', input: tick(1e9), to: 'RUNNING', effects: [] },

  { from: 'BACKOFF', label: 'start', input: start, to: 'BACKOFF', reply: 'EALREADY', effects: [{ type: 'wake', at: 1010 }] },
  { from: 'BACKOFF', label: 'stop', input: stop, to: 'STOPPED', reply: 'ok', effects: [] },
  { from: 'BACKOFF', label: 'detach', input: detach, to: 'BACKOFF', reply: 'ENOTRUNNING', effects: [{ type: 'wake', at: 1010 }] },
  { from: 'BACKOFF', label: 'spawned', input: spawned, throws: /in BACKOFF/ },
  { from: 'BACKOFF', label: 'spawnFailed', input: failed, throws: /in BACKOFF/ },
  { from: 'BACKOFF', label: 'exited', input: exit0(0), throws: /in BACKOFF/ },
  { from: 'BACKOFF', label: 'tick before retry', input: tick(999), to: 'BACKOFF', effects: [{ type: 'wake', at: 1010 }] },
  { from: 'BACKOFF', label: 'tick at retry', input: tick(1000), to: 'STARTING', effects: [{ type: 'spawn' }] },

  { from: 'STOPPING', label: 'start', input: start, to: 'STOPPING', reply: 'ok', effects: (at) => [{ type: 'wake', at: at + 10_000 }] },
  { from: 'STOPPING', label: 'stop', input: stop, to: 'STOPPING', reply: 'ok', effects: (at) => [{ type: 'wake', at: at + 10_000 }] },
  { from: 'STOPPING', label: 'detach', input: detach, to: 'STOPPING', reply: 'ENOTRUNNING', effects: (at) => [{ type: 'wake', at: at + 10_000 }] },
  { from: 'STOPPING', label: 'spawned', input: spawned, throws: /in STOPPING/ },
  { from: 'STOPPING', label: 'spawnFailed', input: failed, throws: /in STOPPING/ },
  { from: 'STOPPING', label: 'exited', input: exit1(5), to: 'STOPPED', effects: [] },
  { from: 'STOPPING', label: 'tick before stoptime', input: tick(9999), to: 'STOPPING', effects: (at) => [{ type: 'wake', at: at + 10_000 }] },
  { from: 'STOPPING', label: 'tick at stoptime', input: tick(10_000), to: 'STOPPING', effects: [{ type: 'kill', pid: PID, signal: 'KILL', group: false }] },

  { from: 'EXITED', label: 'start', input: start, to: 'STARTING', reply: 'ok', effects: [{ type: 'spawn' }] },
  { from: 'EXITED', label: 'stop', input: stop, to: 'EXITED', reply: 'ENOTRUNNING', effects: [] },
  { from: 'EXITED', label: 'detach', input: detach, to: 'EXITED', reply: 'ENOTRUNNING', effects: [] },
  { from: 'EXITED', label: 'spawned', input: spawned, throws: /in EXITED/ },
  { from: 'EXITED', label: 'spawnFailed', input: failed, throws: /in EXITED/ },
  { from: 'EXITED', label: 'exited', input: exit0(0), throws: /in EXITED/ },
  { from: 'EXITED', label: 'tick', input: tick(1e9), to: 'EXITED', effects: [] },

  { from: 'FATAL', label: 'start', input: start, to: 'STARTING', reply: 'ok', effects: [{ type: 'spawn' }] },
  { from: 'FATAL', label: 'stop', input: stop, to: 'FATAL', reply: 'ENOTRUNNING', effects: [] },
  { from: 'FATAL', label: 'detach', input: detach, to: 'FATAL', reply: 'ENOTRUNNING', effects: [] },
  { from: 'FATAL', label: 'spawned', input: spawned, throws: /in FATAL/ },
  { from: 'FATAL', label: 'spawnFailed', input: failed, throws: /in FATAL/ },
  { from: 'FATAL', label: 'exited', input: exit0(0), throws: /in FATAL/ },
  { from: 'FATAL', label: 'tick', input: tick(1e9), to: 'FATAL', effects: [] },

  // restart (a failed health check): only a RUNNING process is restarted.
  { from: 'STOPPED', label: 'restart', input: restart, to: 'STOPPED', reply: 'ENOTRUNNING', effects: [] },
  { from: 'STARTING_NOPID', label: 'restart', input: restart, to: 'STARTING', reply: 'ENOTRUNNING', effects: [] },
  { from: 'STARTING', label: 'restart', input: restart, to: 'STARTING', reply: 'ENOTRUNNING', effects: [{ type: 'wake', at: 1000 }] },
  { from: 'RUNNING', label: 'restart', input: restart, to: 'STOPPING', reply: 'ok', effects: (at) => [TERM, { type: 'wake', at: at + 10_000 }] },
  { from: 'BACKOFF', label: 'restart', input: restart, to: 'BACKOFF', reply: 'ENOTRUNNING', effects: [{ type: 'wake', at: 1010 }] },
  { from: 'STOPPING', label: 'restart', input: restart, to: 'STOPPING', reply: 'ENOTRUNNING', effects: (at) => [{ type: 'wake', at: at + 10_000 }] },
  { from: 'EXITED', label: 'restart', input: restart, to: 'EXITED', reply: 'ENOTRUNNING', effects: [] },
  { from: 'FATAL', label: 'restart', input: restart, to: 'FATAL', reply: 'ENOTRUNNING', effects: [] },
];

ROWS.push(...READINESS_ROWS);

for (const row of ROWS) {
  test(`${row.from} + ${row.label}${row.ready ? ' (ready:)' : ''}`, () => {
    const policy = row.ready ? READY_POLICY : POLICY;
    const { rec, at } = recordIn(row.from, policy);
    const { input, now } = row.input(at);
    if (row.throws) {
      assert.throws(() => run(rec, input, now, policy), row.throws);
      return;
    }
    const d = run(rec, input, now, policy);
    assert.equal(d.record.state.kind, row.to);
    if (row.reply === 'ok') assert.deepEqual(d.reply, { ok: true });
    else if (row.reply) assert.equal(d.reply.ok === false && d.reply.code, row.reply);
    const effects = typeof row.effects === 'function' ? row.effects(at) : row.effects;
    if (effects) assert.deepEqual(d.effects, effects);
  });
}

test('the table covers every state with every input kind', () => {
  const inputs = ['start', 'stop', 'detach', 'restart', 'spawned', 'spawnFailed', 'exited', 'tick', 'ready', 'notReady', 'watchdog'];
  for (const from of [...ALL_STATES, 'STARTING_NOPID']) {
    for (const input of inputs) {
      assert.ok(ROWS.some((r) => r.from === from && r.label.includes(input === 'exited' ? 'exit' : input)), `${from} + ${input}`);
    }
  }
});

test('detach: the pid is kept in STOPPED, no signal goes out whatever stopasgroup says, nothing restarts it, and the next start forgets it', () => {
  const policy = { ...POLICY, autorestart: 'always' as const, stopasgroup: true, killasgroup: true };
  const { rec, at } = recordIn('RUNNING', policy);
  const d = run(rec, { type: 'detach' }, at + 5, policy);
  assert.deepEqual(d.record.state, { kind: 'STOPPED', detachedPid: PID });
  assert.equal(d.record.want, 'down');
  assert.deepEqual(d.effects, [{ type: 'release', pid: PID }]);
  assert.deepEqual(d.transitions.map((t) => t.reason), [`detached, pid ${PID}`]);
  // Time passing changes nothing: no restart is pending.
  assert.deepEqual(run(d.record, { type: 'tick' }, at + 1e9, policy).effects, []);
  // A stop is refused as for any stopped process; the detached pid gets no signal.
  const stopped = run(d.record, { type: 'stop' }, at + 10, policy);
  assert.deepEqual([stopped.reply.ok, stopped.effects], [false, []]);
  // The child's exit is no fact for the machine any more: reporting it is a bug.
  assert.throws(() => run(d.record, { type: 'exited', pid: PID, code: 0, signal: null }, at + 20, policy), /in STOPPED/);
  const started = run(d.record, { type: 'start' }, at + 30, policy);
  assert.equal(started.record.state.kind, 'STARTING');
  assert.deepEqual(started.effects, [{ type: 'spawn' }]);
});

test('restart: RUNNING → STOPPING with the reason, want kept up, so the exit converges to a new spawn; a stop meanwhile wins', () => {
  const { rec, at } = recordIn('RUNNING');
  const d = run(rec, { type: 'restart', reason: 'health check failed 3 times: HTTP 503' }, at + 5);
  assert.deepEqual(d.transitions, [{ from: 'RUNNING', to: 'STOPPING', reason: 'health check failed 3 times: HTTP 503' }]);
  assert.equal(d.record.want, 'up');
  const gone = run(d.record, { type: 'exited', pid: PID, code: null, signal: 'SIGTERM' }, at + 10);
  assert.deepEqual(gone.transitions.map((t) => `${t.from}->${t.to}`), ['STOPPING->STOPPED', 'STOPPED->STARTING']);
  assert.deepEqual(gone.effects, [{ type: 'spawn' }]);
  // An operator's stop while the restart's stop is under way: the process stays down.
  const stopped = run(d.record, { type: 'stop' }, at + 6);
  const after = run(stopped.record, { type: 'exited', pid: PID, code: null, signal: 'SIGTERM' }, at + 10);
  assert.equal(after.record.state.kind, 'STOPPED');
  assert.deepEqual(after.effects, []);
});

// Registered last: top-level tests run in order, so the whole table has run.
test('every allowed transition is reached by the table and no other', () => {
  const allowed = new Set(
    Object.entries(ALLOWED_TRANSITIONS).flatMap(([from, tos]) => tos.map((to) => `${from}->${to}`)),
  );
  for (const t of seenTransitions) assert.ok(allowed.has(t), `unexpected transition ${t}`);
  for (const t of allowed) assert.ok(seenTransitions.has(t), `transition ${t} never exercised`);
});
