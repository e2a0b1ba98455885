// The remote API under load, end to end through the real daemon and its
// gateway: 100 jobs at once, 50 followers of one job, 1 GiB of output to one
// follower with both processes' private memory sampled, a follower that
// stops reading cut off while another reads on, and the status of 200
// programs. Figures go to stderr as `# ` lines for the record.
import assert from 'node:assert/strict';
import { constants } from 'node:http2';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type * as grpc from '@grpc/grpc-js';
import { waitFor } from './harness';
import { program } from './lifecycle-helpers';
import { grpcJsCall, type GrpcJsClient } from './gateway-helpers';
import { grpcJs, type RemoteDaemon, startRemoteDaemon } from './remote-helpers';
import { connectJobs, followConnect, followGrpcJs, gatewayPid, MiB, openCount, sampleMemory, stalledFollow } from './remote-load-helpers';

const PROGRAMS = 200;
const STALL_SECONDS = 2;
// What the daemon and the gateway may grow by while a load runs. Each holds
// at most a bounded number of answers in flight (a 64 KiB spool read, as
// base64 JSON and as protobuf), so what grows is garbage between two
// collections; V8's young generation and the old generation's headroom are
// tens of MiB. A leak that kept what it streamed would pass this within the
// first 64 MiB of a 1 GiB stream.
const GROWTH_BOUND = 64 * MiB;

// Beside the same load read by one follower alone: a stalled follower may add
// its own call's buffers (a few hundred KiB), not the 100 MB the job writes.
const STALL_GROWTH_BOUND = 32 * MiB;

const note = (line: string): void => void process.stderr.write(`# ${line}\n`);
const mib = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;

describe('the remote API under load', { timeout: 300_000 }, () => {
  let r: RemoteDaemon;
  let jobs: GrpcJsClient;
  before(async () => {
    let programs = '';
    for (let i = 0; i < PROGRAMS; i++) programs += program(`p${String(i).padStart(3, '0')}`, { cmd: 'sleep 1000', starttime: 0 });
    r = await startRemoteDaemon(programs, '  job_max_running: 128\n  job_output_max: 2GB\n', [`stall_timeout: ${STALL_SECONDS}s`]);
    jobs = grpcJs(r, r.certs.ops, 'JobService');
  });
  after(async () => {
    jobs?.close();
    await r?.d.stop();
  });

  const run = async (script: string): Promise<string> =>
    (await grpcJsCall<{ job: { id: string } }>(jobs, 'Run', { command: '/bin/sh', args: ['-c', script] })).job.id;
  const spoolOf = (id: string): string => join(r.d.logdir, 'jobs', `${id}.spool`);

  it('remote status equals local status with 200 programs: names, states, pids', async () => {
    await waitFor(async () => (await r.d.status()).every((p) => p.state === 'RUNNING'), `${PROGRAMS} programs RUNNING`, 60_000);
    const control = grpcJs(r, r.certs.ops, 'ControlService');
    try {
      const remote = await grpcJsCall<{ processes: { name: string; state: string; pid: { value: number } | null }[] }>(control, 'Status', {});
      const local = await r.d.status();
      assert.equal(local.length, PROGRAMS);
      assert.deepEqual(
        remote.processes.map((p) => [p.name, p.state.replace('PROCESS_STATE_', ''), p.pid?.value ?? null]),
        local.map((p) => [p.name, p.state, p.pid]),
      );
    } finally {
      control.close();
    }
  });

  it('100 jobs started at once all end EXITED 0, each with its own output', async () => {
    const t0 = Date.now();
    const ids = await Promise.all(Array.from({ length: 100 }, (_, n) => run(`echo job-${n}; sleep 0.5`)));
    assert.equal(new Set(ids).size, 100);
    const followed = await Promise.all(ids.map((id) => followGrpcJs(jobs, id)));
    followed.forEach((f, n) => {
      assert.deepEqual([f.stdout.toString(), f.stderr.toString()], [`job-${n}\n`, ''], `job ${n}`);
      assert.equal(f.ended?.state, 'JOB_STATE_EXITED', `job ${n}`);
      assert.equal((f.ended?.exit_code as { value: number } | null)?.value, 0, `job ${n}`);
    });
    note(`100 jobs run and followed to their end in ${Date.now() - t0} ms`);
  });

  it('50 followers of one job, through two clients, all get the bytes it wrote', async () => {
    const id = await run('seq 1 100000; echo half >&2; sleep 1; seq 100001 200000; echo done >&2');
    const connect = connectJobs(r, r.certs.ops);
    const followers = [
      ...Array.from({ length: 25 }, () => followGrpcJs(jobs, id)),
      ...Array.from({ length: 25 }, () => followConnect(connect, id)),
    ];
    const got = await Promise.all(followers);
    const seq = Array.from({ length: 200000 }, (_, i) => `${i + 1}\n`).join('');
    got.forEach((f, n) => {
      assert.ok(f.stdout.equals(Buffer.from(seq)), `follower ${n}: ${f.stdout.length} stdout bytes of ${seq.length}`);
      assert.equal(f.stderr.toString(), 'half\ndone\n', `follower ${n}`);
      assert.ok(f.ended !== null, `follower ${n} saw the end`);
    });
  });

  it('1 GiB of output streamed to one follower, the daemon\'s and the gateway\'s private memory bounded', async () => {
    const total = 1024 * MiB;
    // A 64-byte line over and over: cheap to write, and each chunk checkable at its offset.
    const line = `${'0123456789abcdefghijklmnopqrstuvwxyz'.repeat(2).slice(0, 63)}\n`;
    const pattern = Buffer.from(line.repeat(2048 + 1));
    const pids = { daemon: r.d.proc.pid!, gateway: gatewayPid(r) };
    const sampler = sampleMemory(pids);
    const baseline = sampler.stop();
    const memory = sampleMemory(pids);
    const t0 = Date.now();
    const id = await run(`yes '${line.slice(0, -1)}' | head -c ${total}`);
    let bytes = 0;
    let mismatch = -1;
    let ended: Record<string, unknown> | null = null;
    await new Promise<void>((resolve, reject) => {
      const call = jobs.Logs!({ job_id: id, follow: true }) as grpc.ClientReadableStream<Record<string, unknown>>;
      call.on('data', (m: Record<string, unknown>) => {
        if (m.event === 'ended') ended = m.ended as Record<string, unknown>;
        if (m.event !== 'stdout') return;
        const chunk = m.stdout as Buffer;
        const at = bytes % line.length;
        if (mismatch < 0 && !chunk.equals(pattern.subarray(at, at + chunk.length))) mismatch = bytes;
        bytes += chunk.length;
      });
      call.on('error', reject);
      call.on('end', resolve);
    });
    const seconds = (Date.now() - t0) / 1000;
    const peaks = memory.stop();
    note(`1 GiB followed in ${seconds.toFixed(1)} s: ${(total / MiB / seconds).toFixed(0)} MiB/s`);
    for (const name of ['daemon', 'gateway'] as const) {
      note(`${name} USS: ${mib(baseline[name]!)} before, peak ${mib(peaks[name]!)} (+${mib(peaks[name]! - baseline[name]!)})`);
    }
    assert.equal(bytes, total);
    assert.equal(mismatch, -1, `the output differs from what the job wrote from byte ${mismatch}`);
    assert.equal((ended as Record<string, unknown> | null)?.state, 'JOB_STATE_EXITED');
    for (const name of ['daemon', 'gateway'] as const) {
      assert.ok(peaks[name]! - baseline[name]! < GROWTH_BOUND, `${name} grew by ${mib(peaks[name]! - baseline[name]!)} (bound ${mib(GROWTH_BOUND)})`);
    }
  });

  it('a follower that stops reading is cut off with RESOURCE_EXHAUSTED after stall_timeout; one that reads goes on to the end', async () => {
    // 100 MB over about five seconds: were the gateway or the daemon to keep
    // what a stopped client does not take, it would show far above the bound.
    const script = "for i in $(seq 1 100); do head -c 1000000 /dev/zero | tr '\\0' x; sleep 0.05; done; echo end >&2";
    const pids = { daemon: r.d.proc.pid!, gateway: gatewayPid(r) };
    // The same load without a stalled client first: what the reading alone costs (and the memory it warms up).
    const alone = sampleMemory(pids);
    assert.equal((await followGrpcJs(jobs, await run(script))).stdout.length, 100 * 1000000);
    const baseline = alone.stop();
    const memory = sampleMemory(pids);
    const id = await run(script);
    const stuck = await stalledFollow(r, r.certs.ops, id);
    const reader = followGrpcJs(jobs, id);
    await waitFor(() => openCount(pids.daemon, spoolOf(id)) === 3, "the job's writer and its two readers open in the daemon");
    const cutLine = /WARN +gateway: taskmaster\.v1\.JobService\/Logs for ops cut off \(RESOURCE_EXHAUSTED\): client stopped reading: (\d+) bytes waited ([\d.]+) s/;
    const cut = (await waitFor(() => cutLine.exec(r.d.output()), 'the gateway to cut the stalled follower off'))!;
    note(`stalled follower cut off: ${cut[1]} bytes waited ${cut[2]} s (stall_timeout ${STALL_SECONDS} s)`);
    assert.ok(Number(cut[2]) >= STALL_SECONDS, 'not before stall_timeout');
    // The daemon's follower of that call ended and closed its spool reader, while the job runs on.
    await waitFor(() => openCount(pids.daemon, spoolOf(id)) === 2, "the stalled follower's spool reader closed");
    const ps = await grpcJsCall<{ job: { state: string } }>(jobs, 'Ps', { job_id: id });
    assert.equal(ps.job.state, 'JOB_STATE_RUNNING', 'cut while the job still wrote');

    const done = await reader;
    assert.equal(done.stdout.length, 100 * 1000000, 'the reading follower got everything');
    assert.equal(done.stderr.toString(), 'end\n');
    // Reading again, the stalled client finds its call reset with
    // ENHANCE_YOUR_CALM: gRPC's RESOURCE_EXHAUSTED (PROTOCOL-HTTP2's mapping).
    assert.equal(await stuck.readToEnd(), constants.NGHTTP2_ENHANCE_YOUR_CALM);
    const peaks = memory.stop();
    for (const name of ['daemon', 'gateway'] as const) {
      note(`${name} USS: peak ${mib(baseline[name]!)} with one follower, ${mib(peaks[name]!)} with a stalled one beside it`);
      assert.ok(peaks[name]! - baseline[name]! < STALL_GROWTH_BOUND, `${name} grew by ${mib(peaks[name]! - baseline[name]!)}`);
    }
    assert.equal(r.d.output().match(/client stopped reading/g)?.length, 1, 'logged once');
  });
});
