// A JobManager on the daemon's real edges — the spawner with the spawn
// addon the build made, kill(2), Node's timers — in this test process, with
// a scratch spool directory. Jobs are real processes; nothing is faked.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { create } from '@bufbuild/protobuf';
import { type Job, JobState, type RunRequest, RunRequestSchema } from '../../src/gen/taskmaster/v1/jobs_pb';
import { osJobAccounts } from '../../src/jobs/job-accounts';
import { JobManager, type JobManagerDeps, type Owner } from '../../src/jobs/manager';
import { SPAWN_ASSET, spawnAddonMissing } from '../../src/native/spawn-addon';
import { osClock, osSignaller, osSpawner } from '../../src/supervisor/os-edges';
import { ROOT, waitFor } from './harness';

/** The daemon's own identity: jobs as root, every job visible. */
export const LOCAL: Owner = { name: 'local', runAs: null, admin: true };

/**
 * The compiled sources look for the addon beside src/native/load.js (as the
 * bundle does beside itself); the build put it in dist/. Without it the
 * spawner would fall back to child_process, which is not the path taskmasterd takes.
 */
function useBuiltSpawnAddon(): void {
  const built = join(ROOT, 'dist', SPAWN_ASSET);
  const wanted = join(ROOT, 'build/src/native', SPAWN_ASSET);
  assert.ok(existsSync(built), `${built} is missing: run make build first`);
  if (!existsSync(wanted)) copyFileSync(built, wanted);
  assert.equal(spawnAddonMissing(), null, 'the jobs must start through the spawn addon, as in taskmasterd');
}

export interface RealJobs {
  jobs: JobManager;
  dir: string;
}

/** Runs `body` with a manager on the real edges; every job is stopped and the spool dir removed after. */
export async function withRealJobs<T>(body: (r: RealJobs) => Promise<T>, changes: Partial<JobManagerDeps> = {}): Promise<T> {
  useBuiltSpawnAddon();
  const dir = mkdtempSync(join(tmpdir(), 'tm-jobs-it-'));
  const jobs = new JobManager({
    dir,
    outputMax: 100 * 1024 * 1024,
    retentionMs: 3_600_000,
    maxRunningPerOwner: 16,
    killGraceMs: 2000,
    spawner: osSpawner(),
    signaller: osSignaller,
    clock: osClock(() => performance.now()),
    accounts: osJobAccounts(),
    daemonEnv: process.env,
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, fatal: () => undefined },
    ...changes,
  });
  try {
    return await body({ jobs, dir });
  } finally {
    await jobs.stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function request(command: string, args: string[] = [], init: Partial<Omit<RunRequest, '$typeName'>> = {}): RunRequest {
  return create(RunRequestSchema, { command, args, ...init });
}

export interface Output {
  stdout: Buffer;
  stderr: Buffer;
  /** Each item in order: 'stdout' or 'stderr' with its text, or 'ended'. */
  items: { stream: 'stdout' | 'stderr' | 'ended'; text: string }[];
  ended: Job | null;
}

/** A job's whole output, following it until it ends (or only what is there, without `follow`). */
export async function outputOf(jobs: JobManager, owner: Owner, id: string, follow = true): Promise<Output> {
  const out: Output = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), items: [], ended: null };
  const parts = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  for await (const item of jobs.output(owner, id, follow, new AbortController().signal)) {
    const e = item.event;
    if (e?.case === 'stdout' || e?.case === 'stderr') {
      const bytes = Buffer.from(e.value as Uint8Array);
      parts[e.case].push(bytes);
      out.items.push({ stream: e.case, text: bytes.toString('latin1') });
    } else if (e?.case === 'ended') {
      out.ended = e.value as Job;
      out.items.push({ stream: 'ended', text: JobState[out.ended.state] });
    }
  }
  out.stdout = Buffer.concat(parts.stdout);
  out.stderr = Buffer.concat(parts.stderr);
  return out;
}

/** Waits until the job has left RUNNING, and returns it as it ended. */
export function ended(jobs: JobManager, owner: Owner, id: string): Promise<Job> {
  // waitFor returns only a truthy value: the job, never the null.
  return waitFor(() => {
    const job = jobs.get(owner, id);
    return job.state !== JobState.RUNNING ? job : null;
  }, `job ${id} to end`) as Promise<Job>;
}

/** Whether `pid` names a live process (a zombie counts as gone: it only waits to be reaped). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Fields of /proc/PID/stat after comm: [state, ppid, pgrp, session, …]. */
export function procStat(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}
