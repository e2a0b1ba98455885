// Starts held back by depends_on: a process whose program needs others is
// started only once every instance of those is RUNNING. Until then it stays
// STOPPED, held here, with the reason in `status` ("waiting for db
// (STARTING)"); each state change of a program that held ones need decides
// again (core/dependency-order.ts), so a held process starts on the very
// decision that makes what it needs RUNNING. A hold stays until the process
// starts, is stopped or removed: a dependency gone FATAL blocks it (the
// caller of the start is answered), and an operator starting that
// dependency again lets it go on.
import type { Reply } from '../core/machine';
import { type DependencyGraph, type InstanceView, type Readiness, readinessOf, startVerdict } from '../core/dependency-order';
import type { ErrorInfo } from '../protocol/errors';
import type { Slot } from './slot';

/** What the gate needs of the supervisor. */
export interface GateHost {
  graph(): DependencyGraph;
  slotsOf(program: string): readonly Slot[];
  start(slot: Slot): Reply;
}

/** The start was given (null), or cannot be yet, and why. */
export type HoldEnd = ErrorInfo | null;

/** A start asked of the gate: a start command given now (its reply), or a hold. */
export type GateAnswer = { reply: Reply } | { held: Promise<HoldEnd> };

interface Hold {
  blocked: boolean;
  /** Callers waiting on the start; answered once, when it starts or is blocked. */
  callers: ((end: HoldEnd) => void)[];
}

// In these the core would spawn on a start; in any other it answers at once
// (already up, or a stop under way that a start turns around).
const SPAWNS_ON_START = new Set(['STOPPED', 'EXITED', 'FATAL']);

export class DependencyGate {
  private readonly held = new Map<Slot, Hold>();

  constructor(private readonly host: GateHost) {}

  isHeld(slot: Slot): boolean {
    return this.held.has(slot);
  }

  /** Starts `slot` now when its program needs nothing that is not RUNNING, else holds it. */
  start(slot: Slot): GateAnswer {
    const hold = this.held.get(slot);
    if (hold !== undefined) return { held: this.wait(slot, hold) };
    const needs = this.host.graph().needs.get(slot.program.name);
    if (needs === undefined || !SPAWNS_ON_START.has(slot.rec.state.kind)) return { reply: this.host.start(slot) };
    const verdict = startVerdict(needs.map((name) => ({ name, readiness: this.readiness(name) })));
    if (verdict.go) return { reply: this.host.start(slot) };
    const fresh: Hold = { blocked: verdict.blocked, callers: [] };
    this.held.set(slot, fresh);
    slot.waitingFor = verdict.reason;
    // Those held behind this program see it coming now.
    this.changed(slot.program.name);
    return { held: this.wait(slot, fresh) };
  }

  /** A stop (or removal) lets a held process go without starting it; false if it was not held. */
  release(slot: Slot, why: ErrorInfo): boolean {
    const hold = this.held.get(slot);
    if (hold === undefined) return false;
    this.held.delete(slot);
    slot.waitingFor = null;
    for (const caller of hold.callers.splice(0)) caller(why);
    this.changed(slot.program.name);
    return true;
  }

  /** After a decision that changed `slot`'s state. */
  observed(slot: Slot): void {
    if (this.held.size === 0) return; // the common case, at every transition of every process
    const hold = this.held.get(slot);
    // Started behind the gate's back (an autorestart already due when the
    // hold began): no longer held; its callers wait for RUNNING as any start's.
    if (hold !== undefined && !SPAWNS_ON_START.has(slot.rec.state.kind)) {
      this.held.delete(slot);
      slot.waitingFor = null;
      for (const caller of hold.callers.splice(0)) caller(null);
    }
    this.changed(slot.program.name);
  }

  /** After a state change of a process of `program` (or its hold): decides again for those held behind it. */
  private changed(program: string): void {
    if (this.held.size === 0) return;
    const dependents = this.host.graph().neededBy.get(program);
    if (dependents === undefined) return;
    for (const dependent of dependents) {
      for (const slot of this.host.slotsOf(dependent)) if (this.held.has(slot)) this.decide(slot);
    }
  }

  /** Decides again for a held process whose config a reload changed in place. */
  recheck(slot: Slot): void {
    if (this.held.has(slot)) this.decide(slot);
  }

  private decide(slot: Slot): void {
    const hold = this.held.get(slot)!;
    const needs = this.host.graph().needs.get(slot.program.name) ?? [];
    const verdict = startVerdict(needs.map((name) => ({ name, readiness: this.readiness(name) })));
    if (verdict.go) {
      this.held.delete(slot);
      slot.waitingFor = null;
      const reply = this.host.start(slot);
      const end = reply.ok ? null : { code: reply.code, message: reply.message };
      for (const caller of hold.callers.splice(0)) caller(end);
      return; // its own transition tells those behind it
    }
    const wasBlocked = hold.blocked;
    hold.blocked = verdict.blocked;
    slot.waitingFor = verdict.reason;
    if (verdict.blocked) for (const caller of hold.callers.splice(0)) caller({ code: 'EDEPENDENCY', message: verdict.reason });
    if (wasBlocked !== verdict.blocked) this.changed(slot.program.name);
  }

  private wait(slot: Slot, hold: Hold): Promise<HoldEnd> {
    if (hold.blocked) return Promise.resolve({ code: 'EDEPENDENCY', message: slot.waitingFor ?? 'waiting' });
    return new Promise((resolve) => hold.callers.push(resolve));
  }

  private readiness(program: string): Readiness {
    return readinessOf(this.host.slotsOf(program).map((s) => this.viewOf(s)));
  }

  private viewOf(slot: Slot): InstanceView {
    const { state, want } = slot.rec;
    const hold = this.held.get(slot);
    return {
      state: state.kind,
      want,
      restartDue: state.kind === 'EXITED' && state.restartAt !== null,
      held: hold === undefined ? null : hold.blocked ? 'blocked' : 'waiting',
    };
  }
}
