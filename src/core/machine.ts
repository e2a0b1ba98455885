// The per-process state machine: pure functions from (record, input, now,
// policy) to a new record plus the effects the OS layer must carry out.
// No I/O and no clock here; deadlines are data in the state and the caller
// delivers a `tick` when the earliest `wake` it was asked for arrives.
import { describeExit, type ExitInfo, type ProcPolicy, type ProcRecord } from './record';
import { endsStreak, restartDelayMs, wantsRestart } from './restart-policy';
import { type Command, type Decision, type Effect, type Fact, IllegalTransition, type Reply, type Transition } from './inputs';
import { ALLOWED_TRANSITIONS, type ProcState, unknownState } from './states';
import { observeReadiness, readinessDeadline, settleReadiness, NOT_READY_EXIT } from './readiness';

export type { Command, Decision, Effect, Fact, Reply, Transition } from './inputs';
export { IllegalTransition } from './inputs';

const TOO_QUICK = 'Exited too quickly (process log may have details)';

/** A mutable copy of the record for the length of one decision. */
export class Step {
  readonly rec: ProcRecord;
  readonly effects: Effect[] = [];
  readonly transitions: Transition[] = [];

  constructor(rec: ProcRecord, readonly now: number, readonly policy: ProcPolicy) {
    this.rec = { ...rec };
  }

  go(to: ProcState, reason: string): void {
    const from = this.rec.state.kind;
    if (!ALLOWED_TRANSITIONS[from].includes(to.kind)) throw new IllegalTransition(from, to.kind);
    this.rec.state = to;
    this.rec.changedAt = this.now;
    this.transitions.push({ from, to: to.kind, reason });
  }

  spawn(reason: string): void {
    this.go({ kind: 'STARTING', pid: null, spawnedAt: this.now }, reason);
    this.effects.push({ type: 'spawn' });
  }

  /** STARTING/RUNNING → STOPPING: send stopsignal now, SIGKILL at killAt. */
  beginStop(pid: number | null, spawnedAt: number, reason: string, failedStart?: string): void {
    const killAt = this.now + this.policy.stoptimeMs;
    this.go({ kind: 'STOPPING', pid, spawnedAt, killAt, killed: false, ...(failedStart === undefined ? {} : { failedStart }) }, reason);
    if (pid !== null) this.kill(pid, this.policy.stopsignal, this.policy.stopasgroup);
  }

  /** STARTING → RUNNING: the start succeeded; with watchdog_sec its clock starts now. */
  running(pid: number, spawnedAt: number, reason: string): void {
    this.rec.backoff = 0;
    this.rec.spawnError = null;
    const watchdog = this.policy.watchdogMs === null ? {} : { watchdogAt: this.now + this.policy.watchdogMs };
    this.go({ kind: 'RUNNING', pid, spawnedAt, ...watchdog }, reason);
  }

  kill(pid: number, signal: string, group: boolean): void {
    this.effects.push({ type: 'kill', pid, signal, group });
  }

  /** STARTING → BACKOFF: one more failed attempt; retry after `backoff` seconds. */
  fail(reason: string): void {
    this.rec.backoff += 1;
    this.rec.spawnError = reason;
    this.go({ kind: 'BACKOFF', retryAt: this.now + this.rec.backoff * 1000 }, reason);
  }

  decision(reply: Reply): Decision {
    settle(this);
    const at = nextDeadline(this.rec.state, this.policy);
    if (at !== null) this.effects.push({ type: 'wake', at });
    return { record: this.rec, effects: this.effects, transitions: this.transitions, reply };
  }
}

export function command(rec: ProcRecord, cmd: Command, now: number, policy: ProcPolicy): Decision {
  const s = new Step(rec, now, policy);
  switch (cmd.type) {
    case 'start':
      return s.decision(start(s));
    case 'stop':
      return s.decision(stop(s));
    case 'detach':
      return s.decision(detach(s));
    case 'restart':
      return s.decision(restart(s, cmd.reason));
    default:
      return unknownCommand(cmd);
  }
}

function start(s: Step): Reply {
  const state = s.rec.state;
  s.rec.want = 'up';
  switch (state.kind) {
    case 'STOPPED':
    case 'EXITED':
    case 'FATAL':
      s.rec.backoff = 0;
      s.rec.spawnError = null;
      s.spawn('start requested');
      return { ok: true };
    case 'STOPPING':
      // Honoured once the child is gone: STOPPED with want=up converges to STARTING.
      return { ok: true };
    case 'STARTING':
    case 'RUNNING':
    case 'BACKOFF':
      return { ok: false, code: 'EALREADY', message: `already ${state.kind === 'BACKOFF' ? 'starting (in BACKOFF)' : state.kind.toLowerCase()}` };
    default:
      return unknownState(state);
  }
}

function stop(s: Step): Reply {
  const state = s.rec.state;
  s.rec.want = 'down';
  switch (state.kind) {
    case 'STARTING':
    case 'RUNNING':
      s.beginStop(state.pid, state.spawnedAt, 'stop requested');
      return { ok: true };
    case 'BACKOFF':
      // BACKOFF → STOPPED: no child exists, the pending retry is dropped.
      s.go({ kind: 'STOPPED' }, 'stop requested while in BACKOFF');
      return { ok: true };
    case 'STOPPING':
      return { ok: true };
    case 'EXITED':
      if (state.restartAt !== null) {
        // A restart was pending (restartdelay): the stop cancels it.
        s.rec.state = { kind: 'EXITED', restartAt: null };
        return { ok: true };
      }
      return { ok: false, code: 'ENOTRUNNING', message: 'not running' };
    case 'STOPPED':
    case 'FATAL':
      return { ok: false, code: 'ENOTRUNNING', message: 'not running' };
    default:
      return unknownState(state);
  }
}

function restart(s: Step, reason: string): Reply {
  const state = s.rec.state;
  switch (state.kind) {
    case 'RUNNING':
      // RUNNING → STOPPING with want=up: once the child is gone, STOPPED
      // converges to STARTING, and a stop asked for meanwhile still wins.
      s.rec.want = 'up';
      s.beginStop(state.pid, state.spawnedAt, reason);
      return { ok: true };
    case 'STARTING':
    case 'STOPPING':
    case 'STOPPED':
    case 'BACKOFF':
    case 'EXITED':
    case 'FATAL':
      return { ok: false, code: 'ENOTRUNNING', message: `not running (${state.kind})` };
    default:
      return unknownState(state);
  }
}

function detach(s: Step): Reply {
  const state = s.rec.state;
  switch (state.kind) {
    case 'STARTING':
    case 'RUNNING':
      if (state.pid === null) return { ok: false, code: 'ENOTRUNNING', message: 'not running yet (no pid)' };
      // STARTING/RUNNING → STOPPED: no signal, and want=down so nothing restarts it.
      s.rec.want = 'down';
      s.go({ kind: 'STOPPED', detachedPid: state.pid }, `detached, pid ${state.pid}`);
      s.effects.push({ type: 'release', pid: state.pid });
      return { ok: true };
    case 'STOPPING':
      // Its stop signal is sent already: letting go now would leave a half-stopped process.
      return { ok: false, code: 'ENOTRUNNING', message: 'stopping' };
    case 'STOPPED':
    case 'BACKOFF':
    case 'EXITED':
    case 'FATAL':
      return { ok: false, code: 'ENOTRUNNING', message: 'not running' };
    default:
      return unknownState(state);
  }
}

export function observe(rec: ProcRecord, fact: Fact, now: number, policy: ProcPolicy): Decision {
  const s = new Step(rec, now, policy);
  switch (fact.type) {
    case 'spawned':
      spawned(s, fact.pid);
      break;
    case 'spawnFailed':
      spawnFailed(s, fact.reason);
      break;
    case 'exited':
      exited(s, fact);
      break;
    case 'tick':
      break; // settle() below does the work
    case 'ready':
    case 'notReady':
    case 'watchdog':
      observeReadiness(s, fact);
      break;
    default:
      unknownFact(fact);
  }
  return s.decision({ ok: true });
}

function spawned(s: Step, pid: number): void {
  const state = s.rec.state;
  if (state.kind === 'STARTING' && state.pid === null) {
    s.rec.state = { ...state, pid };
  } else if (state.kind === 'STOPPING' && state.pid === null) {
    // Stop arrived before the OS gave us a pid: deliver it now.
    s.rec.state = { ...state, pid };
    s.kill(pid, s.policy.stopsignal, s.policy.stopasgroup);
  } else {
    throw new Error(`spawned pid ${pid} reported in ${state.kind}`);
  }
}

function spawnFailed(s: Step, reason: string): void {
  const state = s.rec.state;
  if (state.kind === 'STARTING' && state.pid === null) {
    s.fail(reason); // STARTING → BACKOFF: the spawn itself failed
  } else if (state.kind === 'STOPPING' && state.pid === null) {
    s.rec.spawnError = reason;
    s.go({ kind: 'STOPPED' }, `spawn failed while stopping: ${reason}`);
  } else {
    throw new Error(`spawn failure reported in ${state.kind}`);
  }
}

function exited(s: Step, fact: Extract<Fact, { type: 'exited' }>): void {
  const state = s.rec.state;
  if (state.kind !== 'STARTING' && state.kind !== 'RUNNING' && state.kind !== 'STOPPING') {
    throw new Error(`exit of pid ${fact.pid} reported in ${state.kind}`);
  }
  if (state.pid !== fact.pid) throw new Error(`exit of pid ${fact.pid} reported for pid ${state.pid}`);
  // A death by signal is never an expected exit, whatever exitcodes says; nor is a run the OOM killer cut into.
  const expected = fact.signal === null && fact.code !== null && fact.oom === undefined && s.policy.exitcodes.includes(fact.code);
  const info: ExitInfo = { code: fact.code, signal: fact.signal, ...(fact.oom === undefined ? {} : { oom: fact.oom }), expected, at: s.now };
  s.rec.lastExit = info;
  const how = describeExit(fact);
  switch (state.kind) {
    case 'STOPPING':
      if (state.failedStart !== undefined && s.rec.want === 'up') {
        s.fail(state.failedStart); // STOPPING → BACKOFF: the child of a start not ready in time is gone
        return;
      }
      s.go({ kind: 'STOPPED' }, `stopped (${how})`);
      return;
    case 'STARTING':
      if (s.policy.readyTimeoutMs !== null) {
        s.fail(NOT_READY_EXIT); // STARTING → BACKOFF: with a readiness check, any exit before it passed
        return;
      }
      if (s.now - state.spawnedAt < s.policy.starttimeMs) {
        s.fail(TOO_QUICK); // STARTING → BACKOFF: died before starttime, whatever the code
        return;
      }
      // starttime had passed but the tick had not been handled yet.
      s.running(state.pid, state.spawnedAt, 'starttime elapsed');
      break;
    case 'RUNNING':
      break;
  }
  s.rec.backoff = 0;
  s.rec.spawnError = expected ? null : `Bad exit (${how})`;
  if (endsStreak(s.now - state.spawnedAt, s.policy)) s.rec.restarts = 0;
  let restartAt: number | null = null;
  if (s.rec.want === 'up' && wantsRestart(s.rec, s.policy)) {
    restartAt = s.now + restartDelayMs(s.rec.restarts, s.policy);
    s.rec.restarts += 1;
  }
  s.go({ kind: 'EXITED', restartAt }, `${how}; ${expected ? 'expected' : 'not expected'}`);
}

/** Applies every deadline that is due and every convergence toward `want`. */
function settle(s: Step): void {
  for (let guard = 0; guard < 10; guard++) {
    if (!settleOnce(s)) return;
  }
  throw new Error('settle did not converge');
}

function settleOnce(s: Step): boolean {
  const state = s.rec.state;
  const { now, policy } = s;
  switch (state.kind) {
    case 'STOPPED':
      if (s.rec.want === 'up') {
        s.spawn('wanted up');
        return true;
      }
      return false;
    case 'STARTING':
      // With a readiness check, starttime plays no part: the check or ready_timeout ends STARTING.
      if (policy.readyTimeoutMs !== null) return settleReadiness(s);
      if (state.pid !== null && now >= state.spawnedAt + policy.starttimeMs) {
        s.running(state.pid, state.spawnedAt, `stayed up for ${policy.starttimeMs / 1000}s (starttime)`);
        return true;
      }
      return false;
    case 'BACKOFF':
      if (s.rec.backoff > policy.startretries) {
        s.rec.want = 'down';
        s.go({ kind: 'FATAL' }, `too many start retries (${policy.startretries}) too quickly`);
        return true;
      }
      if (s.rec.want === 'up' && now >= state.retryAt) {
        s.spawn(`retry ${s.rec.backoff} of ${policy.startretries}`);
        return true;
      }
      return false;
    case 'STOPPING':
      if (!state.killed && state.pid !== null && now >= state.killAt) {
        s.rec.state = { ...state, killed: true };
        s.kill(state.pid, 'KILL', policy.killasgroup);
        return true;
      }
      return false;
    case 'EXITED':
      if (s.rec.want === 'up' && state.restartAt !== null && now >= state.restartAt) {
        s.spawn(`autorestart ${policy.autorestart}`);
        return true;
      }
      return false;
    case 'RUNNING':
      return settleReadiness(s);
    case 'FATAL':
      return false;
    default:
      return unknownState(state);
  }
}

/** The earliest time at which settle() would act without a new event. */
export function nextDeadline(state: ProcState, policy: ProcPolicy): number | null {
  switch (state.kind) {
    case 'STARTING':
      // Until the OS reports the pid, the starttime clock waits for `spawned`.
      if (state.pid === null) return null;
      return policy.readyTimeoutMs === null ? state.spawnedAt + policy.starttimeMs : readinessDeadline(state, policy);
    case 'BACKOFF':
      return state.retryAt;
    case 'STOPPING':
      return state.killed || state.pid === null ? null : state.killAt;
    case 'EXITED':
      return state.restartAt;
    case 'RUNNING':
      return readinessDeadline(state, policy);
    case 'STOPPED':
    case 'FATAL':
      return null;
    default:
      return unknownState(state);
  }
}

function unknownCommand(cmd: never): never {
  throw new Error(`unknown command ${JSON.stringify(cmd)}`);
}

function unknownFact(fact: never): never {
  throw new Error(`unknown fact ${JSON.stringify(fact)}`);
}
