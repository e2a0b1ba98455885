// Builders that drive the pure machine into each state with a fake clock.
import { command, observe, type Command, type Decision, type Fact } from '../../src/core/machine';
import { newRecord, type ProcPolicy, type ProcRecord } from '../../src/core/record';
import type { StateKind } from '../../src/core/states';

export const POLICY: ProcPolicy = {
  autorestart: 'unexpected',
  exitcodes: [0],
  startretries: 3,
  starttimeMs: 1000,
  stopsignal: 'TERM',
  stoptimeMs: 10_000,
  restartdelayMs: 0,
  restartdelayMaxMs: 0,
  stopasgroup: false,
  killasgroup: false,
  readyTimeoutMs: null,
  watchdogMs: null,
};

/** A program with a readiness check (ready_timeout 5 s) and a watchdog of 2 s. */
export const READY_POLICY: ProcPolicy = { ...POLICY, readyTimeoutMs: 5000, watchdogMs: 2000 };

/** Every transition any test made, so one test can check all were reached. */
export const seenTransitions = new Set<string>();

export function run(rec: ProcRecord, input: Command | Fact, now: number, policy = POLICY): Decision {
  const d = input.type === 'start' || input.type === 'stop' || input.type === 'detach' || input.type === 'restart'
    ? command(rec, input as Command, now, policy)
    : observe(rec, input as Fact, now, policy);
  for (const t of d.transitions) seenTransitions.add(`${t.from}->${t.to}`);
  return d;
}

export const PID = 100;

/** A record in `kind`, built by real inputs; `at` is the clock when it got there. */
export function recordIn(kind: StateKind | 'STARTING_NOPID' | 'STOPPING_UNREADY', policy = POLICY): { rec: ProcRecord; at: number } {
  let rec = newRecord(0, 'down');
  const step = (input: Command | Fact, now: number): void => {
    rec = run(rec, input, now, policy).record;
  };
  switch (kind) {
    case 'STOPPED':
      return { rec, at: 0 };
    case 'STARTING_NOPID':
      step({ type: 'start' }, 0);
      return { rec, at: 0 };
    case 'STARTING':
      step({ type: 'start' }, 0);
      step({ type: 'spawned', pid: PID }, 0);
      return { rec, at: 0 };
    case 'RUNNING':
      step({ type: 'start' }, 0);
      step({ type: 'spawned', pid: PID }, 0);
      // With a readiness check, RUNNING comes from the check, at the same time.
      step(policy.readyTimeoutMs === null ? { type: 'tick' } : { type: 'ready', pid: PID, how: 'test' }, policy.starttimeMs);
      return { rec, at: policy.starttimeMs };
    case 'STOPPING_UNREADY': {
      // A start whose readiness check never passed: stopped at ready_timeout.
      const timeout = policy.readyTimeoutMs;
      if (timeout === null) throw new Error('STOPPING_UNREADY needs a policy with readyTimeoutMs');
      step({ type: 'start' }, 0);
      step({ type: 'spawned', pid: PID }, 0);
      step({ type: 'notReady', pid: PID, reason: 'connection refused' }, 10);
      step({ type: 'tick' }, timeout);
      return { rec, at: timeout };
    }
    case 'BACKOFF':
      step({ type: 'start' }, 0);
      step({ type: 'spawned', pid: PID }, 0);
      step({ type: 'exited', pid: PID, code: 1, signal: null }, 10);
      return { rec, at: 10 };
    case 'STOPPING': {
      const { rec: running, at } = recordIn('RUNNING', policy);
      rec = running;
      step({ type: 'stop' }, at);
      return { rec, at };
    }
    case 'EXITED': {
      const { rec: running, at } = recordIn('RUNNING', policy);
      rec = running;
      step({ type: 'exited', pid: PID, code: 0, signal: null }, at + 1);
      return { rec, at: at + 1 };
    }
    case 'FATAL': {
      step({ type: 'start' }, 0);
      step({ type: 'spawnFailed', reason: 'no such file' }, 0);
      for (let i = 1; i <= policy.startretries; i++) {
        const retryAt = (rec.state as { retryAt: number }).retryAt;
        step({ type: 'tick' }, retryAt);
        step({ type: 'spawnFailed', reason: 'no such file' }, retryAt);
      }
      return { rec, at: 100_000 };
    }
  }
}
