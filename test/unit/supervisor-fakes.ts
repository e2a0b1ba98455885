// The Supervisor's three edges, faked: a clock that moves only when the test
// says so, a spawner that hands out pids and lets the test make children
// write and exit, and a signaller that records every signal. Nothing here
// sleeps or reads the real time.
import type { Limits } from '../../src/cgroups/limits';
import { type CgroupEdge, NO_CGROUPS } from '../../src/supervisor/cgroup-edge';
import { withDefaults } from '../../src/config/field-table';
import { PROGRAM_FIELDS } from '../../src/config/program-fields';
import type { ProgramConfig } from '../../src/config/types';
import type { Clock, SignalError, Signaller, Spawner, Timer } from '../../src/supervisor/edges';
import type { SupervisorLog } from '../../src/supervisor/log';
import type { DetachEscape } from '../../src/supervisor/detach-scope';
import type { ChildSinks, HandOver, OutputTargets, SpawnOutcome, SpawnSpec } from '../../src/supervisor/spawner';
import { Supervisor } from '../../src/supervisor/supervisor';

interface PendingTimer {
  at: number;
  seq: number;
  fn: () => void;
  live: boolean;
}

export class FakeClock implements Clock {
  private t = 0;
  private seq = 0;
  private timers: PendingTimer[] = [];
  private turns: (() => void)[] = [];
  static readonly WALL_START = Date.UTC(2024, 0, 1);

  now(): number {
    return this.t;
  }

  wallNow(): number {
    return FakeClock.WALL_START + this.t;
  }

  setTimer(fn: () => void, ms: number): Timer {
    const timer: PendingTimer = { at: this.t + ms, seq: this.seq++, fn, live: true };
    this.timers.push(timer);
    return { cancel: () => void (timer.live = false) };
  }

  nextTurn(fn: () => void): void {
    this.turns.push(fn);
  }

  /** Runs what was put off to the next turn of the loop, and what that puts off in turn. */
  runTurns(): void {
    for (let fn = this.turns.shift(); fn; fn = this.turns.shift()) fn();
  }

  /** Moves time on by `ms`, firing each due timer at its own time, earliest first. */
  advance(ms: number): void {
    const end = this.t + ms;
    this.runTurns();
    for (;;) {
      this.timers = this.timers.filter((x) => x.live);
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) break;
      due.live = false;
      this.t = due.at;
      due.fn();
      this.runTurns();
    }
    this.t = end;
  }

  /** When the live timers are due, earliest first. */
  pending(): number[] {
    return this.timers.filter((x) => x.live).map((x) => x.at).sort((a, b) => a - b);
  }
}

export interface SpawnRecord {
  at: number;
  spec: SpawnSpec;
  /** null: the spawn failed */
  pid: number | null;
}

export class FakeSpawner implements Spawner {
  readonly spawns: SpawnRecord[] = [];
  /** While set, every spawn fails with this reason. */
  failWith: string | null = null;
  /** The errno name that goes with failWith (EMFILE…), if any. */
  failCode: string | undefined = undefined;
  accountsForgotten = 0;
  /** Every detach handover asked for, with where the output was to go. */
  readonly handOvers: { pid: number; to: OutputTargets }[] = [];
  /** While set, every handover fails with this reason. */
  handOverFailsWith: string | null = null;
  private nextPid = 1000;
  private readonly children = new Map<number, ChildSinks>();
  // Kept after the exit: a child's pipes may reach EOF after it is reaped.
  private readonly pipes = new Map<number, ChildSinks>();

  constructor(private readonly clock: FakeClock) {}

  spawn(spec: SpawnSpec, sinks: ChildSinks): SpawnOutcome {
    if (this.failWith !== null) {
      this.spawns.push({ at: this.clock.now(), spec, pid: null });
      return { ok: false, reason: this.failWith, ...(this.failCode === undefined ? {} : { code: this.failCode }) };
    }
    const pid = this.nextPid++;
    this.children.set(pid, sinks);
    this.pipes.set(pid, sinks);
    this.spawns.push({ at: this.clock.now(), spec, pid });
    const handOver = (to: OutputTargets): HandOver => {
      this.handOvers.push({ pid, to });
      if (this.handOverFailsWith !== null) return { ok: false, reason: this.handOverFailsWith };
      // As the real readers do: the daemon's part of each stream ends here; another process reads on.
      if (this.pipes.delete(pid)) {
        sinks.ended('stdout');
        sinks.ended('stderr');
      }
      return { ok: true, drainPid: null };
    };
    return { ok: true, child: { pid, handOver } };
  }

  forgetAccounts(): void {
    this.accountsForgotten += 1;
  }

  /** The pid of the newest child. */
  lastPid(): number {
    const pid = this.spawns.at(-1)?.pid;
    if (pid === undefined || pid === null) throw new Error('no child was spawned');
    return pid;
  }

  /** Output, until endOutput: a reaped child's last bytes may still be in its pipes. */
  output(pid: number, stream: 'stdout' | 'stderr', text: string): void {
    const sinks = this.pipes.get(pid);
    if (sinks === undefined) throw new Error(`pid ${pid} has no open pipes`);
    sinks[stream](Buffer.from(text));
  }

  /** The child ends, as the OS reports it: through the exit sink, once. */
  exit(pid: number, code: number | null, signal: NodeJS.Signals | null = null): void {
    const sinks = this.sinksOf(pid);
    this.children.delete(pid);
    sinks.exit(code, signal);
  }

  /** EOF on both of the child's pipes: every process holding them is gone or closed them. */
  endOutput(pid: number): void {
    const sinks = this.pipes.get(pid);
    if (sinks === undefined) throw new Error(`pid ${pid} has no open pipes`);
    this.pipes.delete(pid);
    sinks.ended('stdout');
    sinks.ended('stderr');
  }

  private sinksOf(pid: number): ChildSinks {
    const sinks = this.children.get(pid);
    if (sinks === undefined) throw new Error(`pid ${pid} is not a live child`);
    return sinks;
  }
}

export class FakeSignaller implements Signaller {
  /** Every signal asked for, as 'TERM 1000' (a process) or 'TERM -1000' (a group). */
  readonly sent: string[] = [];
  /** Process groups that still have members. */
  readonly liveGroups = new Set<number>();
  /** What kill(2) answers for a target (pid, or -pgid) instead of delivering. */
  readonly refuse = new Map<number, SignalError>();

  kill(pid: number, signal: string, group: boolean): SignalError | null {
    const target = group ? -pid : pid;
    this.sent.push(`${signal} ${target}`);
    return this.refuse.get(target) ?? null;
  }

  groupAlive(pgid: number): boolean {
    return this.liveGroups.has(pgid);
  }
}

export interface LogEntry {
  level: keyof SupervisorLog;
  obj: Record<string, unknown>;
  msg: string;
}

export function recordingLog(entries: LogEntry[]): SupervisorLog {
  const at = (level: keyof SupervisorLog) => (obj: Record<string, unknown>, msg: string) => void entries.push({ level, obj, msg });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), fatal: at('fatal') };
}

/** A program with the config's own defaults, its output discarded (no files). */
export function program(name: string, changes: Partial<ProgramConfig> = {}): ProgramConfig {
  const cmd = `/opt/${name}`;
  return {
    ...withDefaults(PROGRAM_FIELDS, { cmd, stdout: { kind: 'none' }, stderr: { kind: 'none' }, stdout_maxbytes: 0, stderr_maxbytes: 0 }),
    name,
    argv: [cmd],
    ...changes,
  };
}

/** A Supervisor on fake edges, with what it did laid open. */
export function fakeSupervisor(detachEscape?: DetachEscape, cgroups?: CgroupEdge) {
  const clock = new FakeClock();
  const spawner = new FakeSpawner(clock);
  const signaller = new FakeSignaller();
  const logged: LogEntry[] = [];
  const sup = new Supervisor({
    clock,
    spawner,
    signaller,
    log: recordingLog(logged),
    childlogdir: '/nonexistent/childlogdir', // every fake program's output is discarded
    baseEnv: { PATH: '/usr/bin:/bin', UNSET: undefined },
    detachEscape,
    cgroups,
  });
  /** The transitions logged so far, as 'name FROM→TO'. */
  const transitions = (): string[] =>
    logged.filter((e) => e.obj.from !== undefined).map((e) => `${String(e.obj.process)} ${String(e.obj.from)}→${String(e.obj.to)}`);
  return { sup, clock, spawner, signaller, logged, transitions };
}

/** Lets settled promises run their callbacks (a turn of the real loop; no time passes on the fake clock). */
export function flushPromises(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A cgroup edge that records each call; which cgroups hold processes, and the OOM kills, are as the test says. */
export class RecordingCgroups implements CgroupEdge {
  readonly calls: string[] = [];
  /** Members still in each cgroup, as the test says. */
  readonly populatedDirs = new Set<string>();
  oomKillCount = 0;

  prepare(kind: string, name: string, limits: Limits): string {
    const dir = `/cg/${kind}/${name}`;
    this.calls.push(`prepare ${dir} memory_max=${String(limits.memory_max)} cpu_max=${String(limits.cpu_max)}`);
    return dir;
  }
  changeLimits(dir: string, old: Limits, next: Limits): void {
    this.calls.push(`change ${dir} memory_max ${String(old.memory_max)}→${String(next.memory_max)}`);
  }
  killAll(dir: string): void {
    this.calls.push(`kill ${dir}`);
    this.populatedDirs.delete(dir);
  }
  populated(dir: string): boolean {
    return this.populatedDirs.has(dir);
  }
  oomKills(): number {
    return this.oomKillCount;
  }
  stats = NO_CGROUPS.stats;
  removeWhenEmpty(dir: string): void {
    this.calls.push(`remove ${dir}`);
  }
  detach(pid: number, name: string): void {
    this.calls.push(`detach ${pid} ${name}`);
  }
  clearLeftovers(): string[] {
    return [];
  }
}

/** A supervisor with program `srv` RUNNING as pid 1000 at t = 1001 (starttime 1 s), on a recording cgroup edge when given. */
export function runningSrv(changes: Parameters<typeof program>[1] = {}, cgroups?: CgroupEdge) {
  const f = fakeSupervisor(undefined, cgroups);
  const [slot] = f.sup.addProgram(program('srv', changes));
  f.sup.command(slot!, { type: 'start' });
  f.clock.advance(1001);
  if (slot!.rec.state.kind !== 'RUNNING') throw new Error(`srv is ${slot!.rec.state.kind}, not RUNNING, at t = 1001`);
  return { ...f, slot: slot! };
}
