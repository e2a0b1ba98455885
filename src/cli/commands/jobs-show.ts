// How a job is shown: one in detail (ps ID), a table (ps), as JSON (--json,
// the schema's JSON with its own field names, as on the local socket); and
// the two commands that only show what the daemon answers, ps and kill.
import { toJson, type JsonValue } from '@bufbuild/protobuf';
import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import { quote } from 'shell-quote';
import { JobSchema, JobState, type Job } from '../../gen/taskmaster/v1/jobs_pb';
import { LIMIT_KEYS, limitFieldName } from '../../cgroups/limits';
import { TaskmasterError } from '../../protocol/errors';
import { EXIT } from '../exit-codes';
import type { CommandContext, ParsedArgs } from './types';

export function jobJson(job: Job): JsonValue {
  return toJson(JobSchema, job, { useProtoFieldName: true });
}

/** The job in an answer that must carry one; without, the daemon broke the schema's promise. */
export function jobIn(answer: { job?: Job }, cmd: string): Job {
  if (!answer.job) throw new TaskmasterError('EINTERNAL', `taskmasterd answered ${cmd} without the job`);
  return answer.job;
}

export const stateOf = (job: Job): string => JobState[job.state] ?? String(job.state);

/** UTC, to the second: the same instant reads the same wherever the client is. */
function timeOf(ts: Timestamp | undefined): string {
  return ts ? timestampDate(ts).toISOString().replace(/\.\d+Z$/, 'Z') : '';
}

export const commandLine = (job: Job): string => quote([job.command, ...job.args]);

/** How it ended, in a word: the exit code, the signal, or nothing yet. */
function exitOf(job: Job): string {
  switch (job.state) {
    case JobState.EXITED:
      return String(job.exitCode ?? '');
    case JobState.KILLED:
      return job.signal ?? '';
    default:
      return '';
  }
}

/** The limits it asked for, in the config's words: "memory_max 64M, pids_max 100". */
function limitsText(job: Job): string {
  const asked = job.limits;
  if (asked === undefined) return '';
  return LIMIT_KEYS.flatMap((k) => {
    const value = (asked as unknown as Record<string, string>)[limitFieldName(k)];
    return value ? [`${k} ${value}`] : [];
  }).join(', ');
}

export function jobText(job: Job): string {
  const rows: [string, string][] = [
    ['id', job.id],
    ['state', stateOf(job) + (exitOf(job) && ` (${exitOf(job)})`)],
    ['command', commandLine(job)],
    ['owner', job.user ? `${job.owner} (runs as ${job.user})` : job.owner],
    ['pid', job.pid === undefined ? '' : String(job.pid)],
    ['started', timeOf(job.startedAt)],
    ['ended', timeOf(job.endedAt)],
    ['error', job.error],
    ['reason', job.endReason],
    ['limits', limitsText(job)],
    ['output', job.outputDropped ? 'over the output limit: the middle was dropped (a marker says where)' : ''],
  ];
  return rows
    .filter(([, value]) => value !== '')
    .map(([name, value]) => `${`${name}:`.padEnd(9)}${value}`)
    .join('\n');
}

const HEADER = ['ID', 'STATE', 'EXIT', 'STARTED', 'COMMAND'];

/** Columns as wide as their widest cell; COMMAND last, as long as it is. */
export function jobsTable(jobs: readonly Job[]): string {
  const rows = [HEADER, ...jobs.map((j) => [j.id, stateOf(j), exitOf(j), timeOf(j.startedAt), commandLine(j)])];
  const widths = HEADER.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  return rows.map((r) => r.map((cell, col) => (col < r.length - 1 ? cell.padEnd(widths[col]! + 2) : cell)).join('').trimEnd()).join('\n');
}

export async function psJobs({ positionals: [id] }: ParsedArgs, ctx: CommandContext): Promise<number> {
  const caller = await ctx.caller();
  if (id !== undefined) {
    const job = jobIn(await caller.call('ps', { jobId: id }), 'ps');
    ctx.emit(jobJson(job), jobText(job));
  } else {
    const { jobs } = await caller.call('list', {});
    ctx.emit(jobs.map(jobJson), jobs.length === 0 ? 'no jobs' : jobsTable(jobs));
  }
  return EXIT.OK;
}

export async function killJob({ flags, positionals: [id] }: ParsedArgs, ctx: CommandContext): Promise<number> {
  const signal = typeof flags.signal === 'string' ? flags.signal : '';
  const job = jobIn(await (await ctx.caller()).call('kill', { jobId: id!, signal }), 'kill');
  ctx.emit(jobJson(job), `${id}: signalled`);
  return EXIT.OK;
}
