// run and logs: a job started, and its output copied to our stdout and
// stderr byte for byte as it comes. `run -f` behaves like `ssh host cmd`: it
// exits with the job's code, and Ctrl-C (or SIGTERM, SIGHUP) kills the job,
// waits for its end, and says so.
import { toJson } from '@bufbuild/protobuf';
import { LIMIT_KEYS, limitFieldName } from '../../cgroups/limits';
import { signalNumber } from '../../config/signals';
import { JobState, LogsResponseSchema, type Job } from '../../gen/taskmaster/v1/jobs_pb';
import type { Caller } from '../../protocol/commands';
import { TaskmasterError } from '../../protocol/errors';
import { EXIT } from '../exit-codes';
import { UsageError } from '../usage-error';
import { commandLine, jobIn, jobJson } from './jobs-show';
import type { CommandContext, ParsedArgs } from './types';

const RUN_USAGE = 'run [-f] [-e K=V]… [-C DIR] [--memory-max 512M] [--cpu-max 50%] [--pids-max N]… -- CMD [ARGS…]';

/** The --memory-max… flags as the request's limits, in the config's words; the daemon reads and checks them. */
function limitsOf(flags: ParsedArgs['flags']): Record<string, string> {
  return Object.fromEntries(LIMIT_KEYS.filter((k) => typeof flags[k] === 'string').map((k) => [limitFieldName(k), flags[k] as string]));
}

function envOf(values: ParsedArgs['flags'][string] | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of Array.isArray(values) ? values : []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`run: -e needs NAME=VALUE, got "${pair}"\nusage: ${RUN_USAGE}`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

/**
 * Copies the job's output to ours (under --json, each message as a JSON
 * line); resolves with the job as it ended, or null when the stream ended
 * without saying: no follow, or stopped from this side.
 */
async function copyOutput(caller: Caller, id: string, follow: boolean, ctx: CommandContext, signal: AbortSignal): Promise<Job | null> {
  let ended: Job | null = null;
  for await (const item of caller.stream('logs', { jobId: id, follow }, signal)) {
    if (ctx.json) ctx.emit(toJson(LogsResponseSchema, item, { useProtoFieldName: true }), '');
    switch (item.event.case) {
      case 'stdout':
      case 'stderr':
        if (!ctx.json) ctx.write(item.event.case, item.event.value);
        break;
      case 'ended':
        ended = item.event.value;
        break;
      case undefined:
        break; // an event of a newer schema: nothing to show
    }
  }
  return ended;
}

/** A shell's answer for how a command ended: its code, or 128+N for signal N. */
function exitOf(job: Job, ctx: CommandContext): number {
  switch (job.state) {
    case JobState.EXITED:
      return job.exitCode ?? EXIT.ERROR;
    case JobState.KILLED: {
      ctx.err(`taskmasterctl: job ${job.id} ${job.endReason || `killed by ${job.signal ?? 'a signal'}`}\n`);
      const n = signalNumber(job.signal ?? '');
      return n === null ? EXIT.ERROR : 128 + n;
    }
    case JobState.FAILED:
      throw new TaskmasterError('ESPAWN', `job ${job.id}: cannot start ${commandLine(job)}: ${job.error}`);
    default:
      throw new TaskmasterError('EINTERNAL', `the output of job ${job.id} ended while it is ${JobState[job.state]}`);
  }
}

export async function runJob({ flags, positionals: [command, ...args] }: ParsedArgs, ctx: CommandContext): Promise<number> {
  const request = { command: command!, args, env: envOf(flags.env), dir: typeof flags.dir === 'string' ? flags.dir : '', limits: limitsOf(flags) };
  const caller = await ctx.caller();
  // Ctrl-C kills the job, even when it comes before the daemon said which job;
  // a second SIGTERM/SIGHUP stops waiting for the end (Ctrl-C is seen once).
  const stop = new AbortController();
  let id: string | null = null;
  let signals = 0;
  let killed: Promise<TaskmasterError | null> | null = null;
  const kill = () =>
    (killed ??= caller.call('kill', { jobId: id! }).then(
      () => null,
      (e: TaskmasterError) => (e.code === 'ENOTRUNNING' ? null : (stop.abort(), e)), // ENOTRUNNING: it ended meanwhile
    ));
  const onSignal = () => {
    if (++signals > 1) return stop.abort();
    if (id !== null) void kill();
  };
  const unsubscribe = [ctx.interrupt.onAbort(onSignal), ctx.onTerminate?.(onSignal)];
  try {
    const job = jobIn(await caller.call('run', request), 'run');
    id = job.id;
    if (job.state === JobState.FAILED) return exitOf(job, ctx);
    if (signals > 0) void kill();
    const follow = flags.follow === true;
    const ended = follow ? await copyOutput(caller, job.id, true, ctx, stop.signal) : null;
    if (signals > 0) return interrupted(job.id, await killed!, follow && ended === null, ctx);
    if (!follow) {
      ctx.emit(jobJson(job), job.id);
      return EXIT.OK;
    }
    return exitOf(ended ?? jobIn(await caller.call('ps', { jobId: job.id }), 'ps'), ctx);
  } finally {
    for (const off of unsubscribe) off?.();
  }
}

/** `gaveUp`: a second signal stopped the wait for the job's end. */
function interrupted(id: string, killError: TaskmasterError | null, gaveUp: boolean, ctx: CommandContext): number {
  if (killError) ctx.err(`taskmasterctl: interrupted: could not kill job ${id}: ${killError.message}\n`);
  else if (gaveUp) ctx.err(`taskmasterctl: interrupted: sent a kill to job ${id}, not waiting for its end\n`);
  else ctx.err(`taskmasterctl: interrupted: killed job ${id}\n`);
  return EXIT.INTERRUPTED;
}

export async function jobLogs({ flags, positionals: [id] }: ParsedArgs, ctx: CommandContext): Promise<number> {
  const caller = await ctx.caller();
  // Ctrl-C ends a follow: the normal way out, as for tail -f.
  const stop = new AbortController();
  const off = ctx.interrupt.onAbort(() => stop.abort());
  try {
    await copyOutput(caller, id!, flags.follow === true, ctx, stop.signal);
  } finally {
    off();
  }
  return EXIT.OK;
}
