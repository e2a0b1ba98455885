// The OS edge around the pure core, as callers see it: the set of slots
// (one per process) and what can be done to them. The work is done by its
// parts — decisions.ts applies the core's decisions, children.ts starts and
// signals children, wake-timers.ts and group-reaper.ts keep time — and the
// OS itself is reached only through the edges it is given (edges.ts).
import type { Command, Reply } from '../core/machine';
import { processNames } from '../core/names';
import { pidOf, SIGNALLABLE_STATES, STOPPED_STATES } from '../core/states';
import type { ProgramConfig } from '../config/types';
import type { ActionOutcome } from '../gen/taskmaster/v1/control_pb';
import { ChildEnvs } from './child-env';
import { Children } from './children';
import { Decisions } from './decisions';
import { type DetachEscape, NO_ESCAPE } from './detach-scope';
import type { Clock, Signaller, Spawner } from './edges';
import { GroupReaper } from './group-reaper';
import type { SupervisorLog } from './log';
import { createSlot, type Slot } from './slot';
import { WakeTimers } from './wake-timers';
import { FdShortage } from './fd-shortage';
import { type CgroupEdge, NO_CGROUPS } from './cgroup-edge';
import { changedLimitFiles, limitsOf } from '../cgroups/limits';
import { outcome, type WaitCheck, waitFor } from './waiters';
import { Readiness } from './readiness-driver';
import { readinessEdges, type ReadinessEdges } from './readiness-edges';
import { type DependencyGraph, dependencyGraph } from '../core/dependency-order';
import { DependencyGate } from './dependency-gate';
import { EventBus } from '../events/bus';
import { HealthChecks } from './health-checks';
import { type Prober, osProber } from '../probes/prober';

export interface SupervisorDeps {
  clock: Clock;
  spawner: Spawner;
  signaller: Signaller;
  log: SupervisorLog;
  childlogdir: string;
  baseEnv: NodeJS.ProcessEnv;
  /** Under a systemd service, how detached processes leave it; by default they stay where they are. */
  detachEscape?: DetachEscape;
  /** Each process in its own cgroup; by default none (process groups only). */
  cgroups?: CgroupEdge;
  /** The daemon's limit of open files, for the line that says it is reached; by default read from /proc. */
  openFilesLimit?: () => number | null;
  /** `ready:` checks' edges besides the probes; by default no notify socket (readiness-edges.ts). */
  readiness?: ReadinessEdges;
  /** Where state changes and exits are published; by default a bus of the supervisor's own. */
  events?: EventBus;
  /** How `ready:` and health checks probe; by default the real tcp, http and exec probes. */
  prober?: Prober;
}

export class Supervisor {
  private readonly slots = new Map<string, Slot>();
  // The slots in start order, sorted when first asked for after a change: a
  // config of 10,000 programs adds them one by one, and sorting after each
  // would cost N² log N.
  private ordered: Slot[] | null = null;
  // depends_on between the programs of the slots, and the slots by program,
  // built when first asked for after a change, as `ordered`.
  private programIndex: { graph: DependencyGraph; byProgram: Map<string, Slot[]> } | null = null;
  /** Starts held back until what their program depends on is RUNNING. */
  readonly gate: DependencyGate;
  private childlogdir: string;
  private readonly decisions: Decisions;
  private readonly timers: WakeTimers;
  private readonly reaper: GroupReaper;
  private readonly shortage: FdShortage;
  private readonly readiness: Readiness;
  /** Every transition and exit of every process, published as it is decided. */
  readonly events: EventBus;
  private readonly intentListeners = new Set<() => void>();
  private readonly prober: Prober;
  private readonly health: HealthChecks;

  constructor(private readonly deps: SupervisorDeps) {
    this.childlogdir = deps.childlogdir;
    this.events = deps.events ?? new EventBus();
    const { clock, log } = deps;
    this.reaper = new GroupReaper(clock, deps.signaller);
    this.shortage = new FdShortage(log, deps.openFilesLimit);
    const envs = new ChildEnvs(deps.baseEnv, (p) => this.readiness.envOf(p));
    this.prober = deps.prober ?? osProber();
    this.readiness = new Readiness({
      clock,
      log,
      ...readinessEdges(deps.readiness),
      prober: this.prober,
      envOf: (slot) => envs.of(slot),
      report: (slot, fact) => this.decisions.report(slot, fact),
    });
    const children = new Children({
      clock,
      spawner: deps.spawner,
      signaller: deps.signaller,
      log,
      envs,
      reaper: this.reaper,
      escape: deps.detachEscape ?? NO_ESCAPE,
      cgroups: deps.cgroups ?? NO_CGROUPS,
      shortage: this.shortage,
      report: (slot, fact) => this.decisions.report(slot, fact),
    });
    this.timers = new WakeTimers(clock, (slot) => this.decisions.report(slot, { type: 'tick' }));
    this.decisions = new Decisions(clock, log, {
      spawn: (slot, latencyFirst) => {
        children.spawn(slot, latencyFirst);
        this.readiness.spawned(slot);
      },
      kill: (slot, pid, signal, group) => children.kill(slot, pid, signal, group),
      release: (slot, pid) => children.release(slot, pid),
      wakeAt: (slot, at) => this.timers.arm(slot, at),
    }, this.events);
    this.gate = new DependencyGate({
      graph: () => this.graph(),
      slotsOf: (program) => this.slotsOf(program),
      start: (slot) => this.decisions.command(slot, { type: 'start' }),
    });
    this.decisions.onChange((slot) => this.gate.observed(slot));
    this.health = new HealthChecks({
      clock,
      log,
      prober: this.prober,
      envOf: (slot) => envs.of(slot),
      events: this.events,
      restart: (slot, reason) => this.decisions.command(slot, { type: 'restart', reason }),
    });
  }

  /** All slots, ordered by priority then config order (the start order). */
  list(): Slot[] {
    this.ordered ??= [...this.slots.values()].sort((a, b) => a.program.priority - b.program.priority);
    return [...this.ordered];
  }

  get(name: string): Slot | undefined {
    return this.slots.get(name);
  }

  /** depends_on between the programs now configured. */
  graph(): DependencyGraph {
    return this.index().graph;
  }

  /** The processes of a program, in instance order; none when it is not configured. */
  slotsOf(program: string): readonly Slot[] {
    return this.index().byProgram.get(program) ?? [];
  }

  private index(): { graph: DependencyGraph; byProgram: Map<string, Slot[]> } {
    if (this.programIndex !== null) return this.programIndex;
    const byProgram = new Map<string, Slot[]>();
    for (const slot of this.slots.values()) {
      const list = byProgram.get(slot.program.name);
      if (list === undefined) byProgram.set(slot.program.name, [slot]);
      else list.push(slot);
    }
    for (const list of byProgram.values()) list.sort((a, b) => a.index - b.index);
    const graph = dependencyGraph([...byProgram.values()].map((list) => list[0]!.program));
    this.programIndex = { graph, byProgram };
    return this.programIndex;
  }

  /** Called after any state change (for sd_notify STATUS and the like). */
  onChange(listener: () => void): () => void {
    return this.decisions.onChange(listener);
  }

  /** An operator's `stop` (true) or `start` (false) of these slots: what a later daemon should remember. */
  setStoppedByHand(slots: readonly Slot[], stopped: boolean): void {
    let changed = false;
    for (const slot of slots) {
      changed ||= slot.stoppedByHand !== stopped;
      slot.stoppedByHand = stopped;
    }
    if (changed) this.intentChanged();
  }

  private intentChanged(): void {
    for (const listener of [...this.intentListeners]) listener();
  }

  /** Called after setStoppedByHand changed a slot, or a slot stopped by hand was removed. */
  onIntentChange(listener: () => void): () => void {
    this.intentListeners.add(listener);
    return () => this.intentListeners.delete(listener);
  }

  setChildlogdir(dir: string): void {
    this.childlogdir = dir;
  }

  /** Account lookups are cached until the next reload: /etc/passwd may have changed with the config. */
  forgetAccounts(): void {
    this.deps.spawner.forgetAccounts();
    this.prober.forgetAccounts();
  }

  /** Creates the processes of a program (all of them, or just instance indexes `only`). */
  addProgram(program: ProgramConfig, only?: number[]): Slot[] {
    const names = processNames(program.name, program.numprocs);
    const created: Slot[] = [];
    names.forEach((name, index) => {
      if (only && !only.includes(index)) return;
      const slot = createSlot(program, index, name, this.deps.clock, this.childlogdir, (proc, stream, err, op) => {
        if (this.shortage.failed(proc, `cannot ${op} the ${stream} log of ${proc}`, err.code)) return;
        this.deps.log.error({ process: proc, stream, op, err: err.message }, `cannot write ${stream} log of ${proc}: ${err.message}`);
      });
      this.slots.set(name, slot);
      this.health.follow(slot);
      created.push(slot);
    });
    this.ordered = null;
    this.programIndex = null;
    return created;
  }

  /** Forgets a process that is already stopped; its logs are closed. */
  removeSlot(slot: Slot): void {
    if (!STOPPED_STATES.has(slot.rec.state.kind)) throw new Error(`removing ${slot.name} while ${slot.rec.state.kind}`);
    this.gate.release(slot, { code: 'ENOPROGRAM', message: 'removed by a reload' });
    slot.removed = true;
    this.timers.clear(slot);
    slot.stdout.close();
    slot.stderr.close();
    this.slots.delete(slot.name);
    this.ordered = null;
    this.programIndex = null;
    for (const waiter of slot.waiters) waiter(slot, []);
    slot.waiters.clear();
    if (slot.stoppedByHand) this.intentChanged();
  }

  /** Updates a slot's config in place (fields that need no restart). */
  updateProgram(slot: Slot, program: ProgramConfig, policy: Slot['policy']): void {
    this.changeLimits(slot, program);
    slot.program = program;
    slot.policy = policy;
    this.health.follow(slot);
    slot.stdout.setLimits(program.stdout_maxbytes, program.stdout_backups);
    if (!program.redirect_stderr) slot.stderr.setLimits(program.stderr_maxbytes, program.stderr_backups);
    this.ordered = null; // its priority may have changed
    this.programIndex = null; // and its depends_on
    this.gate.recheck(slot);
  }

  /** New limits reach the running child's cgroup at once (same pid); the next spawn's cgroup gets them anyway. */
  private changeLimits(slot: Slot, program: ProgramConfig): void {
    const old = limitsOf(slot.program);
    const next = limitsOf(program);
    if (slot.cgroup === null || slot.child === null || changedLimitFiles(old, next).length === 0) return;
    try {
      (this.deps.cgroups ?? NO_CGROUPS).changeLimits(slot.cgroup, old, next);
      this.deps.log.info({ process: slot.name, cgroup: slot.cgroup }, `${slot.name}: new limits written to its cgroup`);
    } catch (err) {
      this.deps.log.error({ process: slot.name, err: (err as Error).message }, `${slot.name}: cannot change its limits in place: ${(err as Error).message}`);
    }
  }

  /** Applies an operator command now and returns the core's reply. */
  command(slot: Slot, cmd: Command): Reply {
    return this.decisions.command(slot, cmd);
  }

  /** Sends a signal to a running process, outside the state machine. */
  signal(slot: Slot, signal: string): ActionOutcome {
    const pid = pidOf(slot.rec.state);
    if (!SIGNALLABLE_STATES.has(slot.rec.state.kind) || pid === null) {
      return outcome(slot, { code: 'ENOTRUNNING', message: 'not running' });
    }
    const err = this.deps.signaller.kill(pid, signal, false);
    return outcome(slot, err === null ? null : { code: 'ENOTRUNNING', message: err.message });
  }

  /** Resolves when `check` returns an outcome after some decision (or now). */
  waitFor(slot: Slot, check: WaitCheck): Promise<ActionOutcome> {
    return waitFor(slot, check);
  }

  /** Resolves once every pending group SIGKILL has been sent (for shutdown). */
  groupsReaped(): Promise<void> {
    return this.reaper.reaped();
  }
}
