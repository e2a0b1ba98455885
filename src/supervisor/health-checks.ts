// The edge of health checks: for each RUNNING process whose program has a
// `healthcheck`, a probe every `interval`, never two at once, each judged by
// the pure core (core/health.ts). A run of checks begins when the process
// enters RUNNING and ends when it leaves it; a process without a healthcheck
// has no timer, no listener, nothing.
import { failureSummary, judgeProbe, newHealth, type HealthPolicy } from '../core/health';
import type { Reply } from '../core/machine';
import type { HealthCheck } from '../config/health-fields';
import type { EventBus } from '../events/bus';
import type { Clock, Timer } from './edges';
import type { SupervisorLog } from './log';
import type { Slot, Waiter } from './slot';
import type { Prober } from '../probes/prober';

export interface HealthDeps {
  clock: Pick<Clock, 'now' | 'wallNow' | 'setTimer'>;
  log: SupervisorLog;
  prober: Prober;
  /** The environment the program's child was given, for exec probes. */
  envOf(slot: Slot): Record<string, string>;
  /** Where a change of health is published (`taskmasterctl events`). */
  events: EventBus;
  /** Restarts the process through the core (stop, then start), `reason` in its transition. */
  restart(slot: Slot, reason: string): Reply;
}

/** One run of checks: one pid's time in RUNNING. */
interface Run {
  pid: number;
  check: HealthCheck;
  timer: Timer | null;
  /** Set while a probe is out. */
  probing: AbortController | null;
  ended: boolean;
}

export class HealthChecks {
  private readonly runs = new WeakMap<Slot, Run>();
  // The waiter that tells a followed slot's state changes; only slots with a healthcheck have one.
  private readonly followers = new WeakMap<Slot, Waiter>();

  constructor(private readonly deps: HealthDeps) {}

  /** After a slot is made or its program changes: checks it if it has a healthcheck, from now on. */
  follow(slot: Slot): void {
    const check = slot.program.healthcheck;
    const follower = this.followers.get(slot);
    const run = this.runs.get(slot);
    // A new or changed check takes effect as a new run of checks (health starting again).
    if (run !== undefined && JSON.stringify(run.check) !== JSON.stringify(check)) this.end(slot, run);
    if (check === null) {
      if (follower !== undefined) slot.waiters.delete(follower);
      this.followers.delete(slot);
      return;
    }
    if (follower === undefined) {
      const waiter: Waiter = (s) => {
        if (!s.removed) {
          this.sync(s);
          return false; // kept for the slot's life
        }
        this.followers.delete(s);
        const gone = this.runs.get(s);
        if (gone !== undefined) this.end(s, gone);
        return true;
      };
      slot.waiters.add(waiter);
      this.followers.set(slot, waiter);
    }
    this.sync(slot);
  }

  /** Called after every decision on a followed slot: a run for each RUNNING pid, none otherwise. */
  private sync(slot: Slot): void {
    const state = slot.rec.state;
    const run = this.runs.get(slot);
    if (state.kind === 'RUNNING' && run?.pid === state.pid) return;
    if (run !== undefined) this.end(slot, run);
    const check = slot.program.healthcheck;
    if (state.kind !== 'RUNNING' || check === null) return;
    const fresh: Run = { pid: state.pid, check, timer: null, probing: null, ended: false };
    this.runs.set(slot, fresh);
    slot.health = newHealth(this.deps.clock.now());
    this.schedule(slot, fresh, check.interval * 1000);
  }

  private end(slot: Slot, run: Run): void {
    run.ended = true;
    run.timer?.cancel();
    run.probing?.abort();
    this.runs.delete(slot);
    slot.health = null;
  }

  private schedule(slot: Slot, run: Run, delayMs: number): void {
    run.timer = this.deps.clock.setTimer(() => this.probe(slot, run), delayMs);
  }

  private probe(slot: Slot, run: Run): void {
    run.timer = null;
    const { clock, prober } = this.deps;
    const started = clock.now();
    const probing = new AbortController();
    run.probing = probing;
    const context = { env: this.deps.envOf(slot), cwd: slot.program.workingdir, user: slot.program.user };
    prober
      .probe(run.check.probe, run.check.timeout * 1000, context, probing.signal)
      // Probes never reject; a bug in one must still not end the checks unseen.
      .catch((err: unknown) => `probe error: ${(err as Error).message}`)
      .then((failure) => {
        if (run.ended) return; // the process left RUNNING meanwhile: the answer is about a run gone
        run.probing = null;
        this.judge(slot, run, failure);
        // The next probe `interval` after this one began, or at once if it took longer.
        if (!run.ended) this.schedule(slot, run, Math.max(0, started + run.check.interval * 1000 - clock.now()));
      });
  }

  private judge(slot: Slot, run: Run, failure: string | null): void {
    const before = slot.health;
    if (before === null) return;
    const { log } = this.deps;
    const policy: HealthPolicy = { retries: run.check.retries, startPeriodMs: run.check.start_period * 1000, action: run.check.action };
    const v = judgeProbe(before, failure, this.deps.clock.now(), policy);
    slot.health = v.record;
    const fields = { process: slot.name, pid: run.pid, health: v.record.state, failure };
    switch (v.change) {
      case 'none':
        if (failure !== null) {
          const counted = v.record.failures > before.failures ? `${v.record.failures} of ${policy.retries}` : 'not counted: start_period';
          log.debug(fields, `${slot.name}: health check failed (${counted}): ${failure}`);
        }
        break;
      case 'healthy':
        log.info(fields, `${slot.name}: healthy`);
        break;
      case 'recovered':
        log.info(fields, `${slot.name}: healthy again (last failure: ${before.lastFailure ?? 'none'})`);
        break;
      case 'unhealthy':
        log.warn(fields, `${slot.name}: unhealthy, ${failureSummary(v.record.failures, failure ?? '')}${v.restart === null ? ' (action mark: not restarted)' : '; restarting'}`);
        break;
    }
    // healthy and recovered come of a pass: the failure they name is the last one before it.
    if (v.change !== 'none') this.publish(slot, run.pid, v.change === 'unhealthy' ? 'unhealthy' : 'healthy', failure ?? before.lastFailure);
    if (v.restart === null) return;
    const reply = this.deps.restart(slot, v.restart);
    if (!reply.ok) log.error({ process: slot.name, code: reply.code }, `${slot.name}: cannot restart after failed health checks: ${reply.message}`);
  }

  private publish(slot: Slot, pid: number, health: 'healthy' | 'unhealthy', failure: string | null): void {
    const { clock, events } = this.deps;
    events.publish(() => ({ type: 'health', time: new Date(clock.wallNow()).toISOString(), program: slot.program.name, process: slot.name, pid, health, failure }));
  }
}
