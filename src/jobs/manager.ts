// Ad-hoc jobs: commands run on request for an identity, their output
// spooled to disk and streamed, each identity seeing only its own jobs.
// The daemon's handlers call this; it reaches the OS only through the
// edges it is given (the supervisor's clock, spawner and signaller) and its
// spool files.
import { type CgroupEdge, NO_CGROUPS } from '../supervisor/cgroup-edge';
import { hasLimits, oomVerdict } from '../cgroups/limits';
import type { LimitRefusal } from '../config/limit-refusal';
import { readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { v7 as uuidv7 } from 'uuid';
import { canonicalSignal } from '../config/signals';
import type { Job, LogsResponseSchema, RunRequest } from '../gen/taskmaster/v1/jobs_pb';
import { shown, TaskmasterError } from '../protocol/errors';
import type { Clock, Signaller, Spawner } from '../supervisor/edges';
import type { SupervisorLog } from '../supervisor/log';
import type { JobAccounts } from './job-accounts';
import { JobEntry } from './job-entry';
import { jobLimits } from './job-limits';
import { checkRunRequest, jobSpawnSpec } from './job-spec';
import type { EndedKind, JobCounts, Owner } from './job-state';
import { SpoolWriter } from './spool';
import { readSpool } from './spool-reader';

export type { JobCounts, Owner };
export type LogsItem = MessageInitShape<typeof LogsResponseSchema>;

export interface JobManagerDeps {
  /** Where spool files go; created by the caller. */
  dir: string;
  /** Output bytes kept per job. */
  outputMax: number;
  /** How long a finished job and its output are kept. */
  retentionMs: number;
  /** Jobs one identity may have running at once. */
  maxRunningPerOwner: number;
  /** From a kill's SIGTERM to the SIGKILL of what is left. */
  killGraceMs: number;
  spawner: Pick<Spawner, 'spawn'>;
  signaller: Signaller;
  clock: Pick<Clock, 'setTimer' | 'wallNow'>;
  accounts: JobAccounts;
  /** The daemon's environment; a job takes only PATH and the locale from it (job-spec.ts). */
  daemonEnv: NodeJS.ProcessEnv;
  log: SupervisorLog;
  /** Each job in its own cgroup (jobs/ID, with the limits it asks for); by default none. */
  cgroups?: CgroupEdge;
  /** Why a limit cannot be applied here (cgroups/detect.ts); by default every one is refused, as without cgroups. */
  refuseLimit?: LimitRefusal;
}

const NO_LIMITS_HERE: LimitRefusal = () => 'the daemon runs without cgroups';

const SPOOL_SUFFIX = '.spool';
const SPOOL_NAME = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}\.spool$/;

export class JobManager {
  // Insertion order is start order: list() reads it backwards.
  private readonly jobs = new Map<string, JobEntry>();
  private readonly finished = new Map<string, Record<EndedKind, number>>();
  private stopping = false;

  constructor(private readonly deps: JobManagerDeps) {}

  /**
   * Removes spool files an earlier daemon left: jobs end with the daemon
   * that ran them, and their records went with it. Only files named as
   * this module names them, in case jobs_dir points somewhere shared.
   */
  static removeLeftovers(dir: string): number {
    let removed = 0;
    for (const name of readdirSync(dir)) {
      if (!SPOOL_NAME.test(name)) continue;
      unlinkSync(join(dir, name));
      removed += 1;
    }
    return removed;
  }

  /** Starts a job for `owner`: RUNNING, or FAILED with the reason it could not start. */
  run(owner: Owner, req: RunRequest): Job {
    if (this.stopping) throw new TaskmasterError('ESHUTDOWN', 'the daemon is shutting down: no new jobs');
    checkRunRequest(req);
    const limits = jobLimits(req.limits, this.deps.refuseLimit ?? NO_LIMITS_HERE);
    const running = this.countRunning(owner.name);
    if (running >= this.deps.maxRunningPerOwner) {
      throw new TaskmasterError('ETOOMANYJOBS', `${owner.name} already runs ${running} jobs, the most allowed (job_max_running)`);
    }
    const { clock, log } = this.deps;
    const id = uuidv7();
    const account = this.deps.accounts.lookup(owner.runAs);
    const facts = {
      id,
      owner: owner.name,
      user: account.ok ? account.account.name : (owner.runAs ?? ''),
      command: req.command,
      args: [...req.args],
      startedAt: clock.wallNow(),
      limits: hasLimits(limits) ? req.limits : undefined,
    };
    let spool: SpoolWriter | null = null;
    let reason = account.ok ? null : account.reason;
    if (account.ok) {
      try {
        spool = new SpoolWriter({
          path: join(this.deps.dir, `${id}${SPOOL_SUFFIX}`),
          maxOutputBytes: this.deps.outputMax,
          onError: (err) => log.error({ job: id, err: err.message }, `job ${id}: output not kept: ${err.message}`),
        });
      } catch (err) {
        // Not started: a job whose output could not be kept would be run blind.
        reason = `cannot create its output file in ${this.deps.dir}: ${(err as Error).message}`;
      }
    }
    const cgroups = this.deps.cgroups ?? NO_CGROUPS;
    let cgroup: string | null = null;
    const entry = new JobEntry(facts, spool, {
      clock,
      signaller: this.deps.signaller,
      log,
      killGraceMs: this.deps.killGraceMs,
      ended: (e) => {
        // A job is its process: what it leaves behind in its cgroup goes with it.
        if (cgroup !== null) {
          // A fresh cgroup: any OOM kill in it happened during this job.
          e.endReason = oomVerdict(0, cgroups.oomKills(cgroup), limits.memory_max);
          if (e.endReason !== null) log.warn({ job: id, owner: owner.name }, `job ${id} of ${owner.name}: ${e.endReason}`);
          cgroups.killAll(cgroup);
          cgroups.removeWhenEmpty(cgroup);
        }
        this.arm(e);
      },
    });
    if (reason === null && account.ok) {
      try {
        cgroup = cgroups.prepare('jobs', id, limits);
      } catch (err) {
        reason = `cannot prepare its cgroup: ${(err as Error).message}`;
      }
    }
    if (reason === null && account.ok) {
      const spec = jobSpawnSpec(req, id, account.account, owner.runAs, this.deps.daemonEnv, cgroup);
      const spawned = this.deps.spawner.spawn(spec, entry.sinks());
      if (spawned.ok) entry.started(spawned.child.pid);
      else reason = spawned.reason;
    }
    this.jobs.set(id, entry);
    if (reason !== null) {
      entry.failed(reason);
      log.warn({ job: id, owner: owner.name, reason }, `job ${id} of ${owner.name} failed to start: ${reason}`);
    } else {
      log.info({ job: id, owner: owner.name, user: facts.user, pid: entry.job.pid, command: req.command }, `job ${id} of ${owner.name} started`);
    }
    return entry.job;
  }

  get(owner: Owner, id: string): Job {
    return this.find(owner, id).job;
  }

  /** The jobs `owner` may see (an admin: all), newest first. */
  list(owner: Owner): Job[] {
    return [...this.jobs.values()].reverse().filter((e) => visible(owner, e)).map((e) => e.job);
  }

  /**
   * Signals the job's process group: `signal` (a name or number) once, or
   * when empty, SIGTERM and SIGKILL after the grace. The job as it is now;
   * its end shows in ps once the OS reports it.
   */
  kill(owner: Owner, id: string, signal = ''): Job {
    const entry = this.find(owner, id);
    const name = signal === '' ? null : canonicalSignal(signal);
    if (signal !== '' && name === null) throw new TaskmasterError('EBADSIGNAL', `no such signal: ${shown(signal)}`);
    const run = entry.run;
    if (run.kind !== 'RUNNING') throw new TaskmasterError('ENOTRUNNING', `job ${id} is not running (${run.kind})`);
    if (name === null) entry.terminate();
    else entry.signal(name);
    return entry.job;
  }

  /**
   * The job's output from its first byte, in order, stdout and stderr apart;
   * with `follow`, on until the job has ended and its output is complete,
   * then the job as it ended. Checks `owner` at once (ENOJOB), not on the
   * first pull. Ends quietly when `signal` aborts.
   */
  output(owner: Owner, id: string, follow: boolean, signal: AbortSignal): AsyncIterable<LogsItem> {
    const entry = this.find(owner, id);
    return outputOf(entry, follow, signal);
  }

  /** Daemon shutdown: every job's group gets SIGTERM, then SIGKILL after the grace; resolves once each has ended. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    const entries = [...this.jobs.values()];
    for (const e of entries) if (e.run.kind === 'RUNNING' || e.groupLeft()) e.terminate();
    await Promise.all(entries.map((e) => e.settled));
    // Processes outside the group (a setsid'd grandchild) may still hold a pipe: what they write is not kept.
    for (const e of entries) e.close();
  }

  /** Every owner's running jobs, and those finished since the daemon started (metrics). */
  counts(): JobCounts {
    const running = new Map<string, number>();
    for (const e of this.jobs.values()) if (e.run.kind === 'RUNNING') running.set(e.facts.owner, (running.get(e.facts.owner) ?? 0) + 1);
    const finished = new Map([...this.finished].map(([owner, byKind]) => [owner, { ...byKind }]));
    return { running, finished };
  }

  /** Drops cached account lookups (on reload: /etc/passwd may have changed). */
  forgetAccounts(): void {
    this.deps.accounts.forget();
  }

  private find(owner: Owner, id: string): JobEntry {
    const entry = this.jobs.get(id);
    // Another's job and no job at all get the same answer: ids are not to be probed.
    if (entry === undefined || !visible(owner, entry)) throw new TaskmasterError('ENOJOB', `no job ${shown(id)}`);
    return entry;
  }

  private countRunning(owner: string): number {
    let n = 0;
    for (const e of this.jobs.values()) if (e.facts.owner === owner && e.run.kind === 'RUNNING') n += 1;
    return n;
  }

  /** The job's process ended: it is counted, and it and its output are removed `retentionMs` from now. */
  private arm(entry: JobEntry): void {
    const kind = entry.run.kind;
    if (kind === 'RUNNING') throw new Error(`BUG: job ${entry.facts.id} armed while RUNNING`);
    const byKind = this.finished.get(entry.facts.owner) ?? { EXITED: 0, KILLED: 0, FAILED: 0 };
    byKind[kind] += 1;
    this.finished.set(entry.facts.owner, byKind);
    entry.retention = this.deps.clock.setTimer(() => {
      this.jobs.delete(entry.facts.id);
      entry.close();
      entry.spool?.remove();
      this.deps.log.info({ job: entry.facts.id }, `job ${entry.facts.id} removed (job_retention)`);
    }, this.deps.retentionMs);
  }
}

function visible(owner: Owner, entry: JobEntry): boolean {
  return owner.admin || entry.facts.owner === owner.name;
}

async function* outputOf(entry: JobEntry, follow: boolean, signal: AbortSignal): AsyncGenerator<LogsItem> {
  if (entry.spool !== null) {
    for await (const chunk of readSpool(entry.spool, follow, signal)) {
      yield { event: { case: chunk.stream, value: chunk.bytes } };
    }
  }
  if (follow && !signal.aborted) yield { event: { case: 'ended', value: entry.job } };
}
