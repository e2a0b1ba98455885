// Where the pure core's decisions meet the OS edge: commands and facts go in,
// the new record is stored, its effects are carried out, and whoever waits
// on the slot is told. Facts raised while a decision is being applied (a
// spawn reports `spawned` at once) wait in one queue, so decisions never
// nest: the outer one finishes — its timer armed — before the next begins.
import { command, type Command, type Decision, type Fact, observe, type Reply } from '../core/machine';
import { pidOf, type StateKind } from '../core/states';
import type { ProcRecord } from '../core/record';
import type { EventBus } from '../events/bus';
import type { Clock } from './edges';
import type { SupervisorLog } from './log';
import type { Slot } from './slot';
import type { TaskmasterEvent } from '../events/event';

/** How the effects of a decision reach the OS. */
export interface EffectRunner {
  /** latencyFirst: see StartRequest.latencyFirst. */
  spawn(slot: Slot, latencyFirst: boolean): void;
  kill(slot: Slot, pid: number, signal: string, group: boolean): void;
  /** detach: the child `pid` leaves supervision; its output goes on without the daemon. */
  release(slot: Slot, pid: number): void;
  /** The core wants a `tick` at `at`, or no wake at all (null). */
  wakeAt(slot: Slot, at: number | null): void;
}

export class Decisions {
  private readonly queue: [Slot, Fact][] = [];
  private applying = false;
  private readonly listeners = new Set<(slot: Slot) => void>();

  constructor(
    private readonly clock: Pick<Clock, 'now' | 'wallNow'>,
    private readonly log: SupervisorLog,
    private readonly effects: EffectRunner,
    private readonly events: EventBus,
  ) {}

  /** Called after any state change, with the process that changed (for sd_notify STATUS and the like). */
  onChange(listener: (slot: Slot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies an operator command now and returns the core's reply. */
  command(slot: Slot, cmd: Command): Reply {
    const d = command(slot.rec, cmd, this.clock.now(), slot.policy);
    // A command that arrives while another decision is applied (from a
    // change listener) is applied at once, for its reply; the facts it
    // raises join the queue that the outer drain is already working on.
    const outer = this.applying;
    this.applying = true;
    try {
      // A spawn decided on a command is likely part of a start wave.
      this.apply(slot, d, false);
    } finally {
      this.applying = outer;
    }
    if (!outer) this.drain();
    return d.reply;
  }

  /** A fact from the OS: decided on now, or after the decision being applied. */
  report(slot: Slot, fact: Fact): void {
    this.queue.push([slot, fact]);
    if (!this.applying) this.drain();
  }

  private drain(): void {
    this.applying = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        const [slot, fact] = next;
        if (slot.removed) continue;
        let d: Decision;
        try {
          d = observe(slot.rec, fact, this.clock.now(), slot.policy);
        } catch (err) {
          // An invariant broken: a bug. Say so loudly; the event is dropped.
          this.log.fatal({ process: slot.name, fact, state: slot.rec.state, err: (err as Error).message }, `BUG: ${(err as Error).message}`);
          continue;
        }
        // A spawn decided on a fact (an exit, a retry timer) is a lone restart.
        this.apply(slot, d, true);
      }
    } finally {
      this.applying = false;
    }
  }

  private publish(slot: Slot, before: ProcRecord, d: Decision): void {
    if (!this.events.listening) return;
    const time = new Date(this.clock.wallNow()).toISOString();
    for (const event of eventsOf(slot, before, d, time)) this.events.publish(() => event);
  }

  private apply(slot: Slot, d: Decision, latencyFirst: boolean): void {
    const before = slot.rec;
    slot.rec = d.record;
    for (const t of d.transitions) {
      const pid = pidOf(d.record.state);
      this.log.info({ process: slot.name, from: t.from, to: t.to, pid }, `${slot.name}: ${t.from} → ${t.to} (${t.reason})`);
    }
    // The one place transitions are logged is the one place they are published.
    if (d.transitions.length > 0 || d.record.lastExit !== before.lastExit) this.publish(slot, before, d);
    let wake: number | null = null;
    for (const effect of d.effects) {
      switch (effect.type) {
        case 'spawn':
          this.effects.spawn(slot, latencyFirst);
          break;
        case 'kill':
          this.effects.kill(slot, effect.pid, effect.signal, effect.group);
          break;
        case 'wake':
          wake = effect.at;
          break;
        case 'release':
          this.effects.release(slot, effect.pid);
          break;
        default:
          unknownEffect(effect);
      }
    }
    // Armed after the effects, so it is this decision's wake that holds.
    this.effects.wakeAt(slot, wake);
    if (d.transitions.length > 0) {
      slot.wallChangedAt = this.clock.wallNow();
      for (const waiter of [...slot.waiters]) if (waiter(slot, d.transitions)) slot.waiters.delete(waiter);
      for (const listener of this.listeners) listener(slot);
    }
  }
}

/** States without a child: entering one of them in the decision of an exit is that exit's doing. */
const CHILDLESS: ReadonlySet<StateKind> = new Set(['STOPPED', 'BACKOFF', 'EXITED', 'FATAL']);

/** The decision as events: the child's exit first (when it ended in this decision), then each transition. */
function eventsOf(slot: Slot, before: ProcRecord, d: Decision, time: string): TaskmasterEvent[] {
  const exit = d.record.lastExit !== before.lastExit ? d.record.lastExit : null;
  const ended = exit === null ? null : pidOf(before.state);
  const detail = exit === null ? null : { code: exit.code, signal: exit.signal, expected: exit.expected };
  const base = { time, program: slot.program.name, process: slot.name };
  const events: TaskmasterEvent[] = [];
  if (detail !== null) events.push({ type: 'exit', ...base, pid: ended, ...detail });
  for (const t of d.transitions) {
    // Only the final state of the decision is known; a live state passed through on the way
    // (STARTING → RUNNING just before the exit) had the child that ended, if any.
    const pid = !CHILDLESS.has(t.to) && t.to === d.record.state.kind ? pidOf(d.record.state) : ended;
    events.push({ type: 'state', ...base, from: t.from, to: t.to, reason: t.reason, pid, exit: CHILDLESS.has(t.to) ? detail : null });
  }
  return events;
}

function unknownEffect(effect: never): never {
  throw new Error(`unknown effect ${JSON.stringify(effect)}`);
}
