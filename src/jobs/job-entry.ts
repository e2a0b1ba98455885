// One job while the daemon knows it: its run, its spool, and its ending —
// the exit of its process, the end of its output, and the SIGKILL that a
// kill owes to whatever is left of its process group after the grace.
import type { Job } from '../gen/taskmaster/v1/jobs_pb';
import type { Clock, Signaller, Timer } from '../supervisor/edges';
import type { SupervisorLog } from '../supervisor/log';
import type { ChildSinks } from '../supervisor/spawner';
import { endedRun, type JobFacts, type JobRun, toJob } from './job-state';
import type { SpoolWriter } from './spool';

export interface JobEntryDeps {
  clock: Pick<Clock, 'setTimer' | 'wallNow'>;
  signaller: Signaller;
  log: SupervisorLog;
  killGraceMs: number;
  /** The job's process has ended (or never started): its retention begins. */
  ended(entry: JobEntry): void;
}

export class JobEntry {
  // null only between construction and the spawner's answer, when no one else sees the entry.
  private current: JobRun | null = null;
  private pipesOpen: number;
  private killTimer: Timer | null = null;
  private settle: () => void = () => undefined;
  /** Resolves once the process has ended and no SIGKILL is owed to its group. */
  readonly settled: Promise<void>;
  /** Set by the manager when the retention timer is armed. */
  retention: Timer | null = null;
  /** Set by the manager when the job ends: why, beyond its code or signal (an OOM kill). */
  endReason: string | null = null;

  constructor(
    readonly facts: JobFacts,
    readonly spool: SpoolWriter | null,
    private readonly deps: JobEntryDeps,
  ) {
    this.pipesOpen = spool === null ? 0 : 2;
    this.settled = new Promise((resolve) => (this.settle = resolve));
  }

  get run(): JobRun {
    if (this.current === null) throw new Error(`BUG: job ${this.facts.id} read before it was started`);
    return this.current;
  }

  get job(): Job {
    return toJob(this.facts, this.run, this.spool?.outputDropped ?? false, this.endReason);
  }

  /** Where the spawner sends the child's output and exit. */
  sinks(): ChildSinks {
    return {
      stdout: (chunk) => this.spool?.write('stdout', chunk),
      stderr: (chunk) => this.spool?.write('stderr', chunk),
      ended: () => {
        this.pipesOpen -= 1;
        this.checkEnd();
      },
      exit: (code, signal) => this.exited(code, signal),
    };
  }

  /** → RUNNING: the spawner started it. */
  started(pid: number): void {
    this.current = { kind: 'RUNNING', pid };
  }

  /** → FAILED: it could not be started. */
  failed(reason: string): void {
    this.current = { kind: 'FAILED', reason, endedAt: this.deps.clock.wallNow() };
    this.spool?.seal();
    this.pipesOpen = 0;
    this.deps.ended(this);
    this.settle();
  }

  /** Sends SIG`signal` to the job's whole process group (its pgid is its pid: it leads its own session). */
  signal(signal: string): void {
    const run = this.run;
    if (run.kind === 'RUNNING') this.signalGroup(run.pid, signal);
  }

  /**
   * SIGTERM to the group, and SIGKILL to whatever is still in it when the
   * grace runs out — even once the job's own process has gone, so that
   * nothing it forked stays behind. A second terminate keeps the first deadline.
   */
  terminate(): void {
    const run = this.run;
    if (run.kind === 'FAILED' || (run.kind !== 'RUNNING' && !this.groupLeft())) return;
    const pgid = run.pid;
    this.signalGroup(pgid, 'TERM');
    if (this.killTimer !== null) return;
    this.killTimer = this.deps.clock.setTimer(() => {
      this.killTimer = null;
      if (this.deps.signaller.groupAlive(pgid)) this.signalGroup(pgid, 'KILL');
      this.checkEnd();
    }, this.deps.killGraceMs);
  }

  /** Whether processes of the job may remain after its own ended: something still holds its output pipes. */
  groupLeft(): boolean {
    return this.pipesOpen > 0;
  }

  /** The manager forgets the job (retention, shutdown): no more output is taken. */
  close(): void {
    this.retention?.cancel();
    this.spool?.seal();
  }

  private signalGroup(pgid: number, signal: string): void {
    const { log, signaller } = this.deps;
    const err = signaller.kill(pgid, signal, true);
    if (err === null) log.info({ job: this.facts.id, pgid, signal }, `sent SIG${signal} to job ${this.facts.id} (group ${pgid})`);
    // ESRCH: the group emptied meanwhile; its exit is on the way, or came.
    else if (err.code !== 'ESRCH') log.error({ job: this.facts.id, pgid, signal, err: err.message }, `cannot signal job ${this.facts.id}: ${err.message}`);
  }

  private exited(code: number | null, signal: NodeJS.Signals | null): void {
    const run = this.run;
    if (run.kind !== 'RUNNING') throw new Error(`BUG: job ${this.facts.id} exited in state ${run.kind}`);
    // RUNNING → EXITED or KILLED, from what the OS reported.
    this.current = endedRun(run.pid, code, signal, this.deps.clock.wallNow());
    this.deps.log.info({ job: this.facts.id, pid: run.pid, code, signal }, `job ${this.facts.id} (pid ${run.pid}) ended: ${signal ?? `exit status ${code}`}`);
    this.deps.ended(this);
    this.checkEnd();
  }

  /** After each step of the ending: seal the spool once the output is complete, settle once nothing is owed. */
  private checkEnd(): void {
    const run = this.current;
    if (run === null || run.kind === 'RUNNING') return;
    if (this.pipesOpen === 0) {
      this.spool?.seal();
      // Output closed and the group empty: the SIGKILL is no longer owed.
      if (this.killTimer !== null && run.kind !== 'FAILED' && !this.deps.signaller.groupAlive(run.pid)) {
        this.killTimer.cancel();
        this.killTimer = null;
      }
    }
    if (this.killTimer === null) this.settle();
  }
}
