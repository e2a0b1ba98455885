// What a job is at a moment, as a closed union whose variants carry only
// their own data (a FAILED job has no pid; only an ended one has an end),
// and how it is shown as the schema's Job message.
import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { type Job, type JobLimits, JobSchema, JobState } from '../gen/taskmaster/v1/jobs_pb';

/** Who asks: an identity's name, the local user its jobs run as (null: the daemon's own), and whether it sees every job. */
export interface Owner {
  name: string;
  runAs: string | null;
  admin: boolean;
}

export type JobRun =
  | { kind: 'RUNNING'; pid: number }
  | { kind: 'EXITED'; pid: number; code: number; endedAt: number }
  | { kind: 'KILLED'; pid: number; signal: NodeJS.Signals; endedAt: number }
  | { kind: 'FAILED'; reason: string; endedAt: number };

/** How a finished job ended: the kinds of JobRun other than RUNNING. */
export type EndedKind = Exclude<JobRun['kind'], 'RUNNING'>;

/**
 * Jobs by owner, for metrics: running now, and finished since the daemon
 * started by how they ended. Kept as the jobs end, not counted from the
 * jobs still held: retention forgets a job, and a counter must not go down.
 */
export interface JobCounts {
  running: ReadonlyMap<string, number>;
  finished: ReadonlyMap<string, Readonly<Record<EndedKind, number>>>;
}

/** What does not change once the job is started; times are wall-clock ms (Date.now()). */
export interface JobFacts {
  id: string;
  owner: string;
  /** The account name it runs as, or the run_as as given when it could not be looked up. */
  user: string;
  command: string;
  args: string[];
  startedAt: number;
  /** As the request asked them (the config's words). */
  limits?: JobLimits;
}

/** The run's end, from the exit the OS reported. */
export function endedRun(pid: number, code: number | null, signal: NodeJS.Signals | null, endedAt: number): JobRun {
  // Exactly one of code and signal is set for a reaped child (waitpid's WIFEXITED / WIFSIGNALED).
  return signal !== null ? { kind: 'KILLED', pid, signal, endedAt } : { kind: 'EXITED', pid, code: code ?? -1, endedAt };
}

/** `endReason`: why it ended beyond its code or signal (the OOM killer), or null. */
export function toJob(facts: JobFacts, run: JobRun, outputDropped: boolean, endReason: string | null = null): Job {
  const job = create(JobSchema, {
    id: facts.id,
    owner: facts.owner,
    user: facts.user,
    command: facts.command,
    args: facts.args,
    startedAt: timestampFromMs(facts.startedAt),
    outputDropped,
    limits: facts.limits,
    endReason: endReason ?? '',
  });
  switch (run.kind) {
    case 'RUNNING':
      job.state = JobState.RUNNING;
      job.pid = run.pid;
      return job;
    case 'EXITED':
      job.state = JobState.EXITED;
      job.pid = run.pid;
      job.exitCode = run.code;
      job.endedAt = timestampFromMs(run.endedAt);
      return job;
    case 'KILLED':
      job.state = JobState.KILLED;
      job.pid = run.pid;
      job.signal = run.signal;
      job.endedAt = timestampFromMs(run.endedAt);
      return job;
    case 'FAILED':
      job.state = JobState.FAILED;
      job.error = run.reason;
      job.endedAt = timestampFromMs(run.endedAt);
      return job;
    default:
      return unknownRun(run);
  }
}

function unknownRun(run: never): never {
  throw new Error(`BUG: unknown job state ${JSON.stringify(run)}`);
}
