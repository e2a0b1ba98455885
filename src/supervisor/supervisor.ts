// The OS edge around the pure core: it feeds decisions with facts (spawned,
// exited, timer due), carries out their effects (spawn, kill, wake), and
// lets callers wait for a process to reach a state. Facts raised while an
// effect runs go through one queue, so decisions never nest.
import { command, type Command, type Effect, type Fact, observe, type Transition } from '../core/machine';
import { processNames } from '../core/names';
import { pidOf, SIGNALLABLE_STATES, STOPPED_STATES } from '../core/states';
import type { ProgramConfig } from '../config/types';
import type { ErrorInfo } from '../protocol/errors';
import type { ActionOutcome } from '../protocol/messages';
import { createSlot, type Slot, type Waiter } from './slot';
import { type Child, spawnProgram } from './spawner';
import { AccountCache } from './users';
import type { SupervisorLog } from './log';

export interface SupervisorDeps {
  now: () => number; // monotonic ms
  log: SupervisorLog;
  childlogdir: string;
  baseEnv: NodeJS.ProcessEnv;
}

export class Supervisor {
  private readonly slots = new Map<string, Slot>();
  private readonly queue: [Slot, Fact][] = [];
  private draining = false;
  private spawnsAreRestarts = false;
  readonly accounts = new AccountCache();
  private readonly listeners = new Set<() => void>();
  private readonly reaping = new Set<Promise<void>>();

  private readonly envs = new WeakMap<Slot, { program: ProgramConfig; env: Record<string, string> }>();
  private readonly baseEnv: Record<string, string> = {};

  constructor(private readonly deps: SupervisorDeps) {
    for (const [k, v] of Object.entries(deps.baseEnv)) if (v !== undefined) this.baseEnv[k] = v;
  }

  /** All slots, ordered by priority then config order (the start order). */
  list(): Slot[] {
    return [...this.slots.values()];
  }

  get(name: string): Slot | undefined {
    return this.slots.get(name);
  }

  /** Called after any state change (for sd_notify STATUS and the like). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setChildlogdir(dir: string): void {
    this.deps.childlogdir = dir;
  }

  /** Creates the processes of a program (all of them, or just instance indexes `only`). */
  addProgram(program: ProgramConfig, only?: number[]): Slot[] {
    const names = processNames(program.name, program.numprocs);
    const created: Slot[] = [];
    names.forEach((name, index) => {
      if (only && !only.includes(index)) return;
      const slot = createSlot(program, index, name, this.deps.now(), this.deps.childlogdir, (proc, stream, err, op) => {
        this.deps.log.error({ process: proc, stream, op, err: err.message }, `cannot write ${stream} log of ${proc}: ${err.message}`);
      });
      this.slots.set(name, slot);
      created.push(slot);
    });
    this.sortSlots();
    return created;
  }

  /** Forgets a process that is already stopped; its logs are closed. */
  removeSlot(slot: Slot): void {
    if (!STOPPED_STATES.has(slot.rec.state.kind)) throw new Error(`removing ${slot.name} while ${slot.rec.state.kind}`);
    slot.removed = true;
    this.clearTimer(slot);
    slot.stdout.close();
    slot.stderr.close();
    this.slots.delete(slot.name);
    for (const waiter of slot.waiters) waiter(slot, []);
    slot.waiters.clear();
  }

  /** Updates a slot's config in place (fields that need no restart). */
  updateProgram(slot: Slot, program: ProgramConfig, policy: Slot['policy']): void {
    slot.program = program;
    slot.policy = policy;
    slot.stdout.setLimits(program.stdout_maxbytes, program.stdout_backups);
    if (!program.redirect_stderr) slot.stderr.setLimits(program.stderr_maxbytes, program.stderr_backups);
    this.sortSlots();
  }

  private sortSlots(): void {
    const sorted = [...this.slots.values()].sort((a, b) => a.program.priority - b.program.priority);
    this.slots.clear();
    for (const s of sorted) this.slots.set(s.name, s);
  }

  /** Applies an operator command now and returns the core's reply. */
  command(slot: Slot, cmd: Command): ReturnType<typeof command>['reply'] {
    const d = command(slot.rec, cmd, this.deps.now(), slot.policy);
    // Facts raised by the effects (spawned, spawnFailed) wait in the queue
    // until this decision is fully applied, timer included.
    this.draining = true;
    try {
      this.apply(slot, d.record, d.transitions, d.effects);
    } finally {
      this.draining = false;
    }
    this.drain();
    return d.reply;
  }

  private enqueue(slot: Slot, fact: Fact): void {
    this.queue.push([slot, fact]);
    this.drain();
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        const [slot, fact] = next;
        if (slot.removed) continue;
        let d;
        try {
          d = observe(slot.rec, fact, this.deps.now(), slot.policy);
        } catch (err) {
          // An invariant broken: a bug. Say so loudly; the event is dropped.
          this.deps.log.fatal({ process: slot.name, fact, state: slot.rec.state, err: (err as Error).message }, `BUG: ${(err as Error).message}`);
          continue;
        }
        // A spawn decided on a fact (an exit, a retry timer) is a lone
        // restart; one decided on a command is likely part of a start wave.
        this.spawnsAreRestarts = true;
        try {
          this.apply(slot, d.record, d.transitions, d.effects);
        } finally {
          this.spawnsAreRestarts = false;
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private apply(slot: Slot, rec: Slot['rec'], transitions: Transition[], effects: Effect[]): void {
    slot.rec = rec;
    for (const t of transitions) {
      const pid = pidOf(rec.state);
      this.deps.log.info({ process: slot.name, from: t.from, to: t.to, pid }, `${slot.name}: ${t.from} → ${t.to} (${t.reason})`);
    }
    let wake: number | null = null;
    for (const effect of effects) {
      switch (effect.type) {
        case 'spawn':
          this.spawn(slot);
          break;
        case 'kill':
          this.kill(slot, effect.pid, effect.signal, effect.group);
          break;
        case 'wake':
          wake = effect.at;
          break;
      }
    }
    this.armTimer(slot, wake);
    if (transitions.length > 0) {
      slot.wallChangedAt = Date.now();
      for (const waiter of [...slot.waiters]) if (waiter(slot, transitions)) slot.waiters.delete(waiter);
      for (const listener of this.listeners) listener();
    }
  }

  private spawn(slot: Slot): void {
    const p = slot.program;
    const env = this.envFor(slot);
    const { stdout, stderr } = slot;
    const errLog = p.redirect_stderr ? stdout : stderr;
    const outcome = spawnProgram({ argv: p.argv, env, cwd: p.workingdir, umask: p.umask, user: p.user, latencyFirst: this.spawnsAreRestarts }, this.accounts, {
      stdout: (chunk) => stdout.write(chunk),
      stderr: (chunk) => errLog.write(chunk),
      // A last line without a newline, held back by the log, goes out now.
      ended: (stream) => (stream === 'stdout' ? stdout : errLog).flush(),
      // Handled on the next turn of the loop, not inside the exit callback:
      // a restart spawns there, and with many children exiting at once the
      // sockets get their turn between the exits and the restarts. (Under
      // the child_process fallback, exits come from libuv's SIGCHLD pipe,
      // read in a loop while it stays full: 50 crash-looping programs held
      // every socket off for over a minute before this deferral.)
      exit: (code, signal) => setImmediate(() => this.onExit(slot, child, code, signal)),
    });
    if (!outcome.ok) {
      this.deps.log.error({ process: slot.name, reason: outcome.reason }, `spawn error: ${slot.name}: ${outcome.reason}`);
      this.enqueue(slot, { type: 'spawnFailed', reason: outcome.reason });
      return;
    }
    const child = outcome.child;
    const pid = child.pid;
    slot.child = child;
    this.deps.log.info({ process: slot.name, pid, cmd: p.cmd }, `spawned: ${slot.name} with pid ${pid}`);
    this.enqueue(slot, { type: 'spawned', pid });
  }

  /**
   * The child's environment, built once per program config: on a restart
   * every microsecond between exit and exec counts, and reading
   * process.env goes through a getenv per variable.
   */
  private envFor(slot: Slot): Record<string, string> {
    const cached = this.envs.get(slot);
    if (cached?.program === slot.program) return cached.env;
    const p = slot.program;
    const env = { ...this.baseEnv, ...p.env, TASKMASTER_PROCESS_NAME: slot.name, TASKMASTER_PROGRAM_NAME: p.name };
    this.envs.set(slot, { program: p, env });
    return env;
  }

  private onExit(slot: Slot, child: Child, code: number | null, signal: NodeJS.Signals | null): void {
    if (slot.child === child) slot.child = null;
    const pid = child.pid;
    const before = slot.rec.state;
    if (before.kind === 'STOPPING' && slot.policy.killasgroup) this.reapGroup(slot, pid, before.killed ? 0 : before.killAt - this.deps.now());
    this.deps.log.info({ process: slot.name, pid, code, signal }, `${slot.name}: pid ${pid} exited with ${signal ?? `status ${code}`}`);
    this.enqueue(slot, { type: 'exited', pid, code, signal });
  }

  /**
   * killasgroup: the main process is gone, but members of its group that
   * ignored the stop signal may remain. They get SIGKILL when stoptime runs
   * out, as they would have had the main process lived that long.
   */
  private reapGroup(slot: Slot, pgid: number, delayMs: number): void {
    if (!groupAlive(pgid)) return;
    const done = new Promise<void>((resolve) => {
      setTimeout(() => {
        if (groupAlive(pgid)) this.kill(slot, pgid, 'KILL', true);
        this.reaping.delete(done);
        resolve();
      }, Math.max(0, delayMs));
    });
    this.reaping.add(done);
  }

  /** Resolves once every pending group SIGKILL has been sent (for shutdown). */
  async groupsReaped(): Promise<void> {
    await Promise.all([...this.reaping]);
  }

  private kill(slot: Slot, pid: number, signal: string, group: boolean): void {
    const target = group ? -pid : pid;
    try {
      process.kill(target, `SIG${signal}` as NodeJS.Signals);
      this.deps.log.info({ process: slot.name, pid, signal, group }, `sent SIG${signal} to ${slot.name} (${group ? 'group ' : ''}${pid})`);
    } catch (err) {
      // ESRCH: it exited between the decision and now; its exit event is on the way.
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') {
        this.deps.log.error({ process: slot.name, pid, signal, err: (err as Error).message }, `cannot signal ${slot.name}: ${(err as Error).message}`);
      }
    }
  }

  private armTimer(slot: Slot, at: number | null): void {
    if (at === slot.timerAt) return;
    this.clearTimer(slot);
    if (at === null) return;
    slot.timerAt = at;
    // +1: timers may fire a hair before the monotonic clock reaches `at`.
    slot.timer = setTimeout(() => {
      slot.timer = null;
      slot.timerAt = null;
      this.enqueue(slot, { type: 'tick' });
    }, Math.max(0, at - this.deps.now()) + 1);
  }

  private clearTimer(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.timerAt = null;
  }

  /** Sends a signal to a running process, outside the state machine. */
  signal(slot: Slot, signal: string): ActionOutcome {
    const pid = pidOf(slot.rec.state);
    if (!SIGNALLABLE_STATES.has(slot.rec.state.kind) || pid === null) {
      return outcome(slot, { code: 'ENOTRUNNING', message: 'not running' });
    }
    try {
      process.kill(pid, `SIG${signal}` as NodeJS.Signals);
      return outcome(slot, null);
    } catch (err) {
      return outcome(slot, { code: 'ENOTRUNNING', message: (err as Error).message });
    }
  }

  /** Resolves when `check` returns an outcome after some decision (or now). */
  waitFor(slot: Slot, check: (slot: Slot, transitions: readonly Transition[]) => ErrorInfo | null | 'pending'): Promise<ActionOutcome> {
    return new Promise((resolve) => {
      const now = check(slot, []);
      if (now !== 'pending') return resolve(outcome(slot, now));
      const waiter: Waiter = (s, transitions) => {
        const r = s.removed ? { code: 'ENOPROGRAM' as const, message: 'removed by a reload' } : check(s, transitions);
        if (r === 'pending') return false;
        resolve(outcome(s, r));
        return true;
      };
      slot.waiters.add(waiter);
    });
  }
}

export function outcome(slot: Slot, error: ErrorInfo | null): ActionOutcome {
  return { name: slot.name, ok: error === null, state: slot.rec.state.kind, error };
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false; // ESRCH: no process left in the group
  }
}
