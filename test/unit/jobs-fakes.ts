// A JobManager on the supervisor's fake edges (supervisor-fakes.ts) and a
// scratch spool directory: time moves only when a test says so, children
// write and exit when told, and every signal is recorded.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { JobState, type RunRequest, RunRequestSchema } from '../../src/gen/taskmaster/v1/jobs_pb';
import type { JobAccounts } from '../../src/jobs/job-accounts';
import { JobManager, type JobManagerDeps, type LogsItem, type Owner } from '../../src/jobs/manager';
import { TaskmasterError } from '../../src/protocol/errors';
import { FakeClock, FakeSignaller, FakeSpawner, type LogEntry, recordingLog } from './supervisor-fakes';

export const ALICE: Owner = { name: 'alice', runAs: 'alice', admin: false };
export const BOB: Owner = { name: 'bob', runAs: 'bob', admin: false };
export const ADMIN: Owner = { name: 'local', runAs: null, admin: true };

export const GRACE_MS = 10_000;
export const RETENTION_MS = 3_600_000;

/** Accounts as a passwd file would answer: "ghost" does not exist; null is the daemon's own, root. */
export const fakeAccounts: JobAccounts = {
  lookup: (runAs) =>
    runAs === 'ghost' ? { ok: false, reason: 'no such user "ghost"' } : { ok: true, account: { name: runAs ?? 'root', home: `/home/${runAs ?? 'root'}` } },
  forget: () => undefined,
};

export function runRequest(command: string, init: Partial<Omit<RunRequest, '$typeName'>> = {}): RunRequest {
  return create(RunRequestSchema, { command, ...init });
}

/** Runs `body` with a manager on fake edges; its spool dir is removed after. */
export async function withJobs<T>(body: (j: ReturnType<typeof fakeJobs>) => Promise<T> | T, changes: Partial<JobManagerDeps> = {}): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'tm-jobs-unit-'));
  try {
    return await body(fakeJobs(dir, changes));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function fakeJobs(dir: string, changes: Partial<JobManagerDeps>) {
  const clock = new FakeClock();
  const spawner = new FakeSpawner(clock);
  const signaller = new FakeSignaller();
  const logged: LogEntry[] = [];
  const jobs = new JobManager({
    dir,
    outputMax: 1024,
    retentionMs: RETENTION_MS,
    maxRunningPerOwner: 3,
    killGraceMs: GRACE_MS,
    spawner,
    signaller,
    clock,
    accounts: fakeAccounts,
    daemonEnv: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', AWS_SECRET_ACCESS_KEY: 'daemon secret' },
    log: recordingLog(logged),
    ...changes,
  });
  return { jobs, clock, spawner, signaller, logged, dir };
}

/** The TaskmasterError `fn` throws; fails the test when it throws none or another kind. */
export function errorOf(fn: () => unknown): TaskmasterError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TaskmasterError) return err;
    throw err;
  }
  throw new Error('expected a TaskmasterError, got none');
}

/** Every item of an output stream, as shownItem() shows it. */
export async function collect(items: AsyncIterable<LogsItem>): Promise<string[]> {
  const out: string[] = [];
  for await (const item of items) out.push(shownItem(item));
  return out;
}

/** An output item as 'stdout:text', 'stderr:text' or 'ended:STATE'. */
export function shownItem(item: LogsItem): string {
  const e = item.event;
  if (e?.case === 'stdout' || e?.case === 'stderr') return `${e.case}:${Buffer.from(e.value as Uint8Array).toString()}`;
  if (e?.case === 'ended') return `ended:${JobState[e.value.state ?? JobState.UNSPECIFIED]}`;
  throw new Error(`unexpected item ${JSON.stringify(item)}`);
}
