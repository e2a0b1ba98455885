// A job's output through the JobManager on fake edges: kept in order and
// apart, capped with a marker, read from the first byte by any number of
// followers, each reading only as fast as it is pulled.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { JobState } from '../../src/gen/taskmaster/v1/jobs_pb';
import { SpoolWriter } from '../../src/jobs/spool';
import { READ_BYTES, readSpool } from '../../src/jobs/spool-reader';
import type { LogsItem } from '../../src/jobs/manager';
import { ALICE, collect, runRequest, shownItem, withJobs } from './jobs-fakes';
import { flushPromises } from './supervisor-fakes';

const never = new AbortController().signal;

test('output: stdout and stderr come back apart and in the order they were written', () =>
  withJobs(async ({ jobs, spawner }) => {
    const job = jobs.run(ALICE, runRequest('chatty'));
    const pid = job.pid!;
    spawner.output(pid, 'stdout', 'one\n');
    spawner.output(pid, 'stderr', 'two\n');
    spawner.output(pid, 'stdout', 'three\n');
    spawner.output(pid, 'stderr', '');
    assert.deepEqual(await collect(jobs.output(ALICE, job.id, false, never)), ['stdout:one\n', 'stderr:two\n', 'stdout:three\n']);
  }));

test('output without follow: what is there when asked, then the end, with no ended item, even while the job runs', () =>
  withJobs(async ({ jobs, spawner }) => {
    const job = jobs.run(ALICE, runRequest('x'));
    spawner.output(job.pid!, 'stdout', 'so far');
    assert.deepEqual(await collect(jobs.output(ALICE, job.id, false, never)), ['stdout:so far']);
    const silent = jobs.run(ALICE, runRequest('y'));
    assert.deepEqual(await collect(jobs.output(ALICE, silent.id, false, never)), []);
  }));

test('follow: from the first byte, then as it is written, then the job as it ended once its output is complete', () =>
  withJobs(async ({ jobs, spawner }) => {
    const job = jobs.run(ALICE, runRequest('x'));
    const pid = job.pid!;
    spawner.output(pid, 'stdout', 'early');
    const followed = jobs.output(ALICE, job.id, true, never)[Symbol.asyncIterator]();
    assert.deepEqual(await collectNext(followed), 'stdout:early');
    // The follower now waits for more: what is written next wakes it.
    const next = collectNext(followed);
    spawner.output(pid, 'stderr', 'later');
    assert.deepEqual(await next, 'stderr:later');
    spawner.exit(pid, 4);
    // Output still in the pipes after the exit is still the job's.
    spawner.output(pid, 'stdout', 'last');
    spawner.endOutput(pid);
    assert.deepEqual(await collect({ [Symbol.asyncIterator]: () => followed }), ['stdout:last', 'ended:EXITED']);
  }));

test('follow: a job that failed to start has no output, and ends at once as FAILED', () =>
  withJobs(async ({ jobs, spawner }) => {
    spawner.failWith = 'no such file';
    const job = jobs.run(ALICE, runRequest('x'));
    assert.deepEqual(await collect(jobs.output(ALICE, job.id, true, never)), ['ended:FAILED']);
  }));

test('follow: ends quietly, without the ended item, when its signal aborts', () =>
  withJobs(async ({ jobs, spawner }) => {
    const job = jobs.run(ALICE, runRequest('x'));
    spawner.output(job.pid!, 'stdout', 'a');
    const stop = new AbortController();
    const followed = jobs.output(ALICE, job.id, true, stop.signal)[Symbol.asyncIterator]();
    assert.equal(await collectNext(followed), 'stdout:a');
    const waiting = followed.next();
    stop.abort();
    assert.deepEqual(await waiting, { done: true, value: undefined });
  }));

test('job_output_max: kept up to the byte, then one marker on stderr and nothing more, while the job runs on', () =>
  withJobs(
    async ({ jobs, spawner }) => {
      const job = jobs.run(ALICE, runRequest('flood'));
      const pid = job.pid!;
      spawner.output(pid, 'stdout', '123456');
      spawner.output(pid, 'stderr', 'abcdef');
      spawner.output(pid, 'stdout', 'dropped');
      const now = jobs.get(ALICE, job.id);
      assert.deepEqual([now.state, now.outputDropped], [JobState.RUNNING, true]);
      const marker = 'stderr:[taskmaster: output dropped after 10 bytes (job_output_max)]\n';
      assert.deepEqual(await collect(jobs.output(ALICE, job.id, false, never)), ['stdout:123456', 'stderr:abcd', marker]);
      spawner.exit(pid, 0);
      spawner.endOutput(pid);
      assert.equal(jobs.get(ALICE, job.id).outputDropped, true);
    },
    { outputMax: 10 },
  ));

test('followers: each of many gets the same bytes, from the first', () =>
  withJobs(async ({ jobs, spawner }) => {
    const job = jobs.run(ALICE, runRequest('x'));
    const pid = job.pid!;
    spawner.output(pid, 'stdout', 'before');
    const followers = Array.from({ length: 20 }, () => collect(jobs.output(ALICE, job.id, true, never)));
    for (let i = 0; i < 50; i++) {
      spawner.output(pid, i % 3 === 0 ? 'stderr' : 'stdout', `line ${i}\n`);
      if (i % 7 === 0) await flushPromises();
    }
    spawner.exit(pid, 0);
    spawner.endOutput(pid);
    const results = await Promise.all(followers);
    assert.equal(results[0]!.at(-1), 'ended:EXITED');
    assert.equal(results[0]!.join('').split('line ').length, 51);
    // Chunks may be cut differently for each, but the bytes of each stream must be the same.
    const streams = (items: string[]) => ['stdout', 'stderr'].map((s) => items.filter((i) => i.startsWith(s)).map((i) => i.slice(7)).join(''));
    for (const r of results) assert.deepEqual(streams(r), streams(results[0]!));
  }));

test('spool reader: one pull reads at most one buffer, however much is waiting; records longer than it come in pieces', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tm-spool-'));
  try {
    const spool = new SpoolWriter({ path: join(dir, 's'), maxOutputBytes: Infinity, onError: (err) => assert.fail(err.message) });
    const big = Buffer.alloc(4 * READ_BYTES, 'x');
    spool.write('stdout', big);
    spool.write('stderr', Buffer.from('tail'));
    spool.seal();
    const reader = readSpool(spool, true, never);
    const first = await reader.next();
    assert.ok(!first.done && first.value.bytes.length < READ_BYTES && first.value.stream === 'stdout');
    let stdout = first.value.bytes.length;
    let stderr = '';
    for await (const chunk of reader) {
      assert.ok(chunk.bytes.length <= READ_BYTES);
      if (chunk.stream === 'stdout') stdout += chunk.bytes.length;
      else stderr += Buffer.from(chunk.bytes).toString();
    }
    assert.deepEqual([stdout, stderr], [big.length, 'tail']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The next item of a stream, as shownItem() shows it. */
async function collectNext(items: AsyncIterator<LogsItem>): Promise<string> {
  const next = await items.next();
  assert.ok(!next.done, 'the stream ended early');
  return shownItem(next.value as LogsItem);
}
