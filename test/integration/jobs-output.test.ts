// Jobs' output with real processes: interleaved stdout and stderr in order
// and apart, binary output byte for byte, the cap and its marker while the
// job runs on, and many followers of one job getting the same bytes.
import assert from 'node:assert/strict';
import { closeSync, existsSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import { JobState } from '../../src/gen/taskmaster/v1/jobs_pb';
import { waitFor } from './harness';
import { LOCAL, outputOf, request, withRealJobs } from './jobs-helpers';

// Reads commands from the FIFO in argv[1]: "o TEXT" prints TEXT on stdout,
// "e TEXT" on stderr, "x" exits. The test sends the next command only once
// the previous output has come back, so the order across the two pipes is
// the order of the commands, whatever order the daemon polls them in.
const ECHOER = `
const rl = require('node:readline').createInterface({ input: require('node:fs').createReadStream(process.argv[1]) });
rl.on('line', (line) => {
  if (line === 'x') process.exit(0);
  (line[0] === 'o' ? process.stdout : process.stderr).write(line.slice(2) + '\\n');
});`;

test('interleaved stdout and stderr come back in the order written, each on its own stream', () =>
  withRealJobs(async ({ jobs, dir }) => {
    const fifo = join(dir, 'commands');
    execFileSync('mkfifo', [fifo]);
    // O_RDWR: opening a FIFO for writing alone would block until the job opens it.
    const commands = openSync(fifo, 'r+');
    try {
      const job = jobs.run(LOCAL, request(process.execPath, ['-e', ECHOER, fifo]));
      assert.equal(job.state, JobState.RUNNING, job.error);
      const follower = jobs.output(LOCAL, job.id, true, new AbortController().signal)[Symbol.asyncIterator]();
      const sent: string[] = [];
      for (let i = 0; i < 12; i++) {
        const stream = i % 3 === 1 ? 'stdout' : 'stderr';
        writeSync(commands, `${stream[3]} ${stream} ${i}\n`);
        sent.push(`${stream}:${stream} ${i}\n`);
        const next = await follower.next();
        assert.ok(!next.done && (next.value.event?.case === 'stdout' || next.value.event?.case === 'stderr'));
        const e = next.value.event!;
        assert.equal(`${e.case}:${Buffer.from(e.value as Uint8Array).toString()}`, sent.at(-1));
      }
      writeSync(commands, 'x\n');
      const rest = await follower.next();
      assert.equal(rest.value?.event?.case, 'ended');
      // Read again from the first byte: the same sequence.
      const again = await outputOf(jobs, LOCAL, job.id, false);
      assert.deepEqual(again.items.map((i) => `${i.stream}:${i.text}`), sent);
    } finally {
      closeSync(commands);
    }
  }));

test('1 MiB of binary output comes back byte for byte', () =>
  withRealJobs(async ({ jobs, dir }) => {
    const data = randomBytes(1 << 20); // every byte value, NULs and invalid UTF-8 included
    const file = join(dir, 'binary');
    writeFileSync(file, data);
    const job = jobs.run(LOCAL, request('cat', [file]));
    const out = await outputOf(jobs, LOCAL, job.id);
    assert.equal(out.ended?.state, JobState.EXITED);
    assert.equal(out.ended?.exitCode, 0);
    assert.equal(out.stderr.length, 0);
    assert.ok(out.stdout.equals(data), `stdout differs: ${out.stdout.length} bytes, want ${data.length}`);
  }));

test('job_output_max: output is kept to the byte, then one marker, and the job runs on with its pipes drained', () =>
  withRealJobs(
    async ({ jobs, dir }) => {
      const done = join(dir, 'wrote-it-all');
      // 4 MiB into a 64 KiB cap, through pipes of at most 1 MiB: it gets past
      // them only if the pipes are still read.
      const script = `head -c 4194304 /dev/zero; touch ${done}; exec sleep 1000`;
      const job = jobs.run(LOCAL, request('sh', ['-c', script]));
      await waitFor(() => existsSync(done), 'the job to write all its output');
      // What it wrote last may still be in the pipe: wait for the daemon side to read past the cap.
      await waitFor(() => jobs.get(LOCAL, job.id).outputDropped, 'the cap to be reached');
      assert.equal(jobs.get(LOCAL, job.id).state, JobState.RUNNING);
      const out = await outputOf(jobs, LOCAL, job.id, false);
      assert.ok(out.stdout.equals(Buffer.alloc(65536)), `${out.stdout.length} bytes of stdout kept`);
      assert.equal(out.stderr.toString(), '[taskmaster: output dropped after 65536 bytes (job_output_max)]\n');
      jobs.kill(LOCAL, job.id, 'KILL');
    },
    { outputMax: 65536 },
  ));

test('50 followers of one job each get the same bytes, from the first', () =>
  withRealJobs(async ({ jobs }) => {
    const job = jobs.run(LOCAL, request('sh', ['-c', 'seq 1 30000; seq 1 2000 >&2; seq 30001 60000']));
    const outs = await Promise.all(Array.from({ length: 50 }, () => outputOf(jobs, LOCAL, job.id)));
    const stdout = execFileSync('seq', ['1', '60000']);
    const stderr = execFileSync('seq', ['1', '2000']);
    outs.forEach((out, i) => {
      assert.ok(out.stdout.equals(stdout), `follower ${i}: stdout differs`);
      assert.ok(out.stderr.equals(stderr), `follower ${i}: stderr differs`);
      assert.equal(out.ended?.state, JobState.EXITED, `follower ${i}: ended`);
    });
  }));
