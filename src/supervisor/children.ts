// The OS side of a slot's child: starting it, signalling it, and hearing of
// its end. Each outcome goes back to the core as a fact (spawned,
// spawnFailed, exited); nothing here decides.
import type { Fact } from '../core/machine';
import { describeExit } from '../core/record';
import type { ChildEnvs } from './child-env';
import type { DetachEscape } from './detach-scope';
import type { Clock, Signaller, Spawner } from './edges';
import type { GroupReaper } from './group-reaper';
import type { SupervisorLog } from './log';
import type { Slot } from './slot';
import type { Child } from './spawner';
import type { InputKind } from './start-process';
import { DISCARDED } from './output-handover';
import type { CgroupEdge } from './cgroup-edge';
import { limitsOf, oomVerdict } from '../cgroups/limits';
import type { FdShortage } from './fd-shortage';
import { stampLines } from './line-stamps';

export interface ChildrenDeps {
  clock: Pick<Clock, 'now' | 'wallNow' | 'nextTurn'>;
  spawner: Pick<Spawner, 'spawn'>;
  signaller: Pick<Signaller, 'kill'>;
  log: SupervisorLog;
  envs: ChildEnvs;
  reaper: GroupReaper;
  /** Under systemd, takes a detached process out of the daemon's service. */
  escape: DetachEscape;
  /** The cgroup mode's steps; NO_CGROUPS under process groups only. */
  cgroups: CgroupEdge;
  /** Says a shortage of descriptors once, in place of a line per failed spawn. */
  shortage: FdShortage;
  report(slot: Slot, fact: Fact): void;
}

export class Children {
  // Children that `detach` let go of: their exit is reaped (no zombie) but reported to no one.
  private readonly released = new WeakSet<Child>();

  constructor(private readonly deps: ChildrenDeps) {}

  spawn(slot: Slot, latencyFirst: boolean): void {
    const { spawner, clock, log, report } = this.deps;
    const p = slot.program;
    const { stdout, stderr } = slot;
    // redirect_stderr: both streams go to the stdout log.
    const errLog = p.redirect_stderr ? stdout : stderr;
    const cgroup = this.prepareCgroup(slot);
    if (cgroup === undefined) return;
    const input: InputKind = p.tty ? 'terminal' : p.stdin === 'pipe' ? 'pipe' : 'none';
    const spec = { argv: p.argv, env: this.deps.envs.of(slot), cwd: p.workingdir, umask: p.umask, user: p.user, latencyFirst, cgroup, input };
    const toStdout = (chunk: Buffer): void => stdout.write(chunk);
    const toStderr = (chunk: Buffer): void => errLog.write(chunk);
    const wallNow = (): number => clock.wallNow();
    const spawned = spawner.spawn(spec, {
      stdout: p.stdout_timestamps ? stampLines(toStdout, wallNow) : toStdout,
      stderr: p.stderr_timestamps ? stampLines(toStderr, wallNow) : toStderr,
      // A last line without a newline, held back by the log, goes out now.
      ended: (stream) => (stream === 'stdout' ? stdout : errLog).flush(),
      // Handled on the next turn of the loop, not inside the exit callback:
      // a restart spawns there, and with many children exiting at once the
      // sockets get their turn between the exits and the restarts. (Under
      // the child_process fallback, exits come from libuv's SIGCHLD pipe,
      // read in a loop while it stays full: 50 crash-looping programs held
      // every socket off for over a minute before this deferral.)
      exit: (code, signal) => clock.nextTurn(() => this.exited(slot, child, code, signal)),
    });
    if (!spawned.ok) {
      if (cgroup !== null) this.deps.cgroups.removeWhenEmpty(cgroup);
      if (!this.deps.shortage.failed(slot.name, `cannot start ${slot.name}`, spawned.code)) log.error({ process: slot.name, reason: spawned.reason }, `spawn error: ${slot.name}: ${spawned.reason}`);
      report(slot, { type: 'spawnFailed', reason: spawned.reason });
      return;
    }
    this.deps.shortage.spawned();
    const child = spawned.child;
    slot.child = child;
    slot.spawns += 1;
    log.info({ process: slot.name, pid: child.pid, cmd: p.cmd }, `spawned: ${slot.name} with pid ${child.pid}`);
    report(slot, { type: 'spawned', pid: child.pid });
  }

  /** The instance's cgroup with its limits written (null: no cgroups); undefined once a refusal is reported. */
  private prepareCgroup(slot: Slot): string | null | undefined {
    const p = slot.program;
    try {
      const dir = this.deps.cgroups.prepare('programs', `${p.name}:${slot.index}`, limitsOf(p));
      slot.cgroup = dir;
      slot.oomKillsAtSpawn = dir === null ? 0 : this.deps.cgroups.oomKills(dir);
      return dir;
    } catch (err) {
      const reason = `cannot prepare its cgroup: ${(err as Error).message}`;
      this.deps.log.error({ process: slot.name, reason }, `spawn error: ${slot.name}: ${reason}`);
      this.deps.report(slot, { type: 'spawnFailed', reason });
      return undefined;
    }
  }

  kill(slot: Slot, pid: number, signal: string, group: boolean): void {
    // stoptime ran out (the core's SIGKILL): in the cgroup mode the whole tree
    // goes with the process, a grandchild that left the group by setsid too.
    if (signal === 'KILL' && slot.cgroup !== null && slot.child?.pid === pid) this.deps.cgroups.killAll(slot.cgroup, true);
    const err = this.deps.signaller.kill(pid, signal, group);
    if (err === null) {
      this.deps.log.info({ process: slot.name, pid, signal, group }, `sent SIG${signal} to ${slot.name} (${group ? 'group ' : ''}${pid})`);
    } else if (err.code !== 'ESRCH') {
      // ESRCH is not worth a word: it exited between the decision and now, and its exit event is on the way.
      this.deps.log.error({ process: slot.name, pid, signal, err: err.message }, `cannot signal ${slot.name}: ${err.message}`);
    }
  }

  /**
   * detach: the core has forgotten the child already (STOPPED, nothing
   * wanted); here its output goes to a drain and the slot lets go of it.
   * Its process group stays its own: stopasgroup and friends never reach it.
   */
  release(slot: Slot, pid: number): void {
    const { log } = this.deps;
    const child = slot.child;
    if (child === null || child.pid !== pid) {
      log.fatal({ process: slot.name, pid }, `BUG: detach of pid ${pid}, which is not ${slot.name}'s child`);
      return;
    }
    slot.child = null;
    this.released.add(child);
    // Before the escape: systemd takes it into its scope from wherever it is.
    if (slot.cgroup !== null) this.deps.cgroups.detach(pid, slot.name);
    const stdout = slot.stdout.path ?? DISCARDED;
    // redirect_stderr: both streams were going to the stdout log; they go on doing so.
    const stderr = slot.program.redirect_stderr ? stdout : (slot.stderr.path ?? DISCARDED);
    const handed = child.handOver({ stdout, stderr });
    if (handed.ok) {
      log.info({ process: slot.name, pid, stdout, stderr }, `${slot.name}: pid ${pid} detached; its output goes on to ${stdout} and ${stderr}`);
    } else {
      // The daemon reads on: the output is logged while the daemon lives; once it is gone the child's writes fail (EPIPE or SIGPIPE).
      log.error({ process: slot.name, pid, err: handed.reason }, `${slot.name}: pid ${pid} detached, but its output stays with taskmasterd: ${handed.reason}`);
    }
    const drainPid = handed.ok ? handed.drainPid : null;
    this.deps.escape.escape(slot.name, pid, drainPid, (where) => (slot.detachedWhere = { pid, where }));
  }

  private exited(slot: Slot, child: Child, code: number | null, signal: NodeJS.Signals | null): void {
    const pid = child.pid;
    if (this.released.has(child)) {
      this.deps.log.info({ process: slot.name, pid, code, signal }, `${slot.name}: detached pid ${pid} ended: ${describeExit({ code, signal })}`);
      return;
    }
    if (slot.child === child) slot.child = null;
    slot.exitedWallAt = this.deps.clock.wallNow();
    const before = slot.rec.state;
    // The child leads its own process group (pgid = pid); see GroupReaper.
    if (before.kind === 'STOPPING' && slot.policy.killasgroup) {
      const delay = before.killed ? 0 : before.killAt - this.deps.clock.now();
      this.deps.reaper.reap(pid, delay, () => this.kill(slot, pid, 'KILL', true));
    }
    const oom = slot.cgroup === null ? null : this.endCgroup(slot, slot.cgroup, before);
    const exit = { code, signal, ...(oom === null ? {} : { oom }) };
    this.deps.log.info({ process: slot.name, pid, ...exit }, `${slot.name}: pid ${pid} ended: ${describeExit(exit)}`);
    this.deps.report(slot, { type: 'exited', pid, ...exit });
  }

  /**
   * The main process is gone: what is left in its cgroup (a daemonizing
   * grandchild) is given what remains of stoptime — all of it when the exit
   * was not asked for — then killed, and the cgroup removed once empty.
   * Returns the OOM verdict of the run.
   */
  private endCgroup(slot: Slot, dir: string, before: Slot['rec']['state']): string | null {
    const { cgroups, clock } = this.deps;
    const oom = oomVerdict(slot.oomKillsAtSpawn, cgroups.oomKills(dir), slot.program.memory_max);
    const delay = before.kind !== 'STOPPING' ? slot.policy.stoptimeMs : before.killed ? 0 : before.killAt - clock.now();
    const end = (): void => {
      // A new run of the slot has its own cgroup by the same name: leave it be.
      if (slot.child !== null) return;
      cgroups.killAll(dir, true);
      cgroups.removeWhenEmpty(dir);
    };
    this.deps.reaper.reapWhile(() => cgroups.populated(dir), delay, end);
    if (!cgroups.populated(dir)) cgroups.removeWhenEmpty(dir);
    return oom;
  }
}
