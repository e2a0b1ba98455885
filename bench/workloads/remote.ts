// remote: the remote API (gRPC over mutual TLS through the gateway) against
// the anchor every admin knows for authenticated remote execution, ssh to
// localhost (OpenSSH's sshd run by the bench, lib/sshd.ts). Taskmaster only:
// supervisord and PM2 have no remote job API. Four measures:
//  (a) the one-shot `taskmasterctl -H … run -f -- true` against `ssh … true`,
//      in pairs back to back, the order alternating; the ratio is the median
//      of the pairs' ratios (as hyperfine compares two commands);
//  (b) a persistent client's job round trip (Run `true`, then Logs followed
//      until it ends, over one HTTP/2 connection) against the C loop of
//      fork+exec+wait;
//  (c) a job's output streamed to a remote follower (`cat FILE`) against
//      `ssh … cat FILE`, both read by this process with the same byte count
//      and SHA-256 checked against the file;
//  (d) many jobs started as fast as the client can, a bounded number in
//      flight, all seen to exit; the private memory of the daemon and its
//      gateway (lib/proc.ts memoryMiB) before and after.
import { createHash, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@connectrpc/connect';
import { JobState, type JobService } from '../../src/gen/taskmaster/v1/jobs_pb';
import { daemonTree, memoryMiB } from '../lib/proc';
import { runOk } from '../lib/run';
import { startSshd, sshMissing, type Sshd } from '../lib/sshd';
import { median } from '../lib/stats';
import { nowNs } from '../lib/time';
import { startRemoteTaskmaster } from '../supervisors/taskmaster-remote';
import type { Ctx, Sample, Workload } from './types';

const MiB = 1024 * 1024;
const TRUE = ['/usr/bin/true', '/bin/true'].find(existsSync) ?? '/bin/true';
type Jobs = Client<typeof JobService>;

const msSince = (t0: bigint): number => Number(nowNs() - t0) / 1e6;

/** Bytes and SHA-256 of what a stream carried. */
class Tally {
  bytes = 0;
  private hash = createHash('sha256');
  add(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
  }
  digest(): string {
    return this.hash.digest('hex');
  }
}

/** Writes `bytes` of random data to `file` (incompressible: neither side gains by compressing); its SHA-256. */
function makeFile(file: string, bytes: number): string {
  const fd = openSync(file, 'w');
  const tally = new Tally();
  try {
    for (let left = bytes; left > 0; left -= MiB) {
      const chunk = randomBytes(Math.min(MiB, left));
      writeSync(fd, chunk);
      tally.add(chunk);
    }
  } finally {
    closeSync(fd);
  }
  return tally.digest();
}

/** Runs a job and follows its Logs to the end; its output passes through `onOut`. Throws unless it ends EXITED 0. */
async function runToEnd(jobs: Jobs, argv: string[], onOut: (chunk: Uint8Array) => void = () => undefined): Promise<void> {
  const { job } = await jobs.run({ command: argv[0]!, args: argv.slice(1) });
  if (!job) throw new Error('Run answered no job');
  let ended = false;
  for await (const m of jobs.logs({ jobId: job.id, follow: true })) {
    if (m.event.case === 'stdout') onOut(m.event.value);
    else if (m.event.case === 'ended') {
      const { state, exitCode } = m.event.value;
      if (state !== JobState.EXITED || exitCode !== 0) throw new Error(`job ${job.id} (${argv.join(' ')}) ended ${JobState[state]} ${exitCode ?? ''}`);
      ended = true;
    }
  }
  if (!ended) throw new Error(`the Logs of job ${job.id} ended without saying how the job did`);
}

/** (d): `count` jobs `true`, at most `inFlight` at a time (each run and followed to its end); the wall time in s. */
async function burst(jobs: Jobs, count: number, inFlight: number): Promise<number> {
  const t0 = nowNs();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      await runToEnd(jobs, [TRUE]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
  return msSince(t0) / 1000;
}

/** (a): the median one-shot times of both commands, and the median of the pairs' ratios. */
async function oneShotPairs(tmArgv: string[], sshArgv: string[] | null, pairs: number): Promise<Sample> {
  const time = async (argv: string[]): Promise<number> => {
    const t0 = nowNs();
    await runOk(argv);
    return msSince(t0);
  };
  await time(tmArgv); // warm-up: the page cache, the gateway's first TLS session
  if (sshArgv) await time(sshArgv);
  const tm: number[] = [];
  const ssh: number[] = [];
  for (let i = 0; i < pairs; i++) {
    if (sshArgv && i % 2 === 1) ssh.push(await time(sshArgv));
    tm.push(await time(tmArgv));
    if (sshArgv && i % 2 === 0) ssh.push(await time(sshArgv));
  }
  const out: Sample = { cli_ms: median(tm) };
  if (sshArgv) {
    out.cli_pair_ratio = median(tm.map((t, i) => t / ssh[i]!));
    out.cli_ssh_paired_ms = median(ssh);
  }
  return out;
}

/** Throughput in MiB/s of a stream of `bytes`, checked against the file's size and SHA-256. */
function checked(what: string, tally: Tally, bytes: number, sha: string, ms: number): number {
  if (tally.bytes !== bytes) throw new Error(`${what}: ${tally.bytes} bytes arrived of ${bytes}`);
  if (tally.digest() !== sha) throw new Error(`${what}: ${bytes} bytes arrived, but their SHA-256 differs from the file's`);
  return bytes / MiB / (ms / 1000);
}

/** (c) through ssh: `ssh … cat FILE`, its stdout read here. */
function sshCat(sshd: Sshd, file: string): Promise<{ tally: Tally; ms: number }> {
  return new Promise((resolve, reject) => {
    const argv = sshd.ssh('cat', file);
    const t0 = nowNs();
    const tally = new Tally();
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (c: Buffer) => tally.add(c));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve({ tally, ms: msSince(t0) }) : reject(new Error(`ssh cat exited ${code}`))));
  });
}

async function withSshd<T>(ctx: Ctx, body: (sshd: Sshd | null) => Promise<T>): Promise<T> {
  const why = sshMissing();
  if (why && !ctx.settings.smoke) throw new Error(why);
  if (why) ctx.note(`remote: the ssh side skipped in this smoke run (taskmaster's side and the C loop only): ${why}`);
  const sshd = why ? null : await startSshd(ctx.dir);
  try {
    return await body(sshd);
  } finally {
    await sshd?.stop();
  }
}

export const remote: Workload = {
  name: 'remote',
  supervisors: ['taskmaster'],
  describe: (s) => ({
    measure:
      `taskmasterd with its remote API on 127.0.0.1 (gateway as nobody, mutual TLS with certificates made by packaging/certs.sh for the run, job_max_running ${s.remote.job_max_running}), against OpenSSH's sshd run by the bench on 127.0.0.1 (its own ed25519 host and user keys, StrictHostKeyChecking against its own known_hosts, no PAM). ` +
      `(a) one-shot \`taskmasterctl -H … run -f -- true\` and \`ssh root@127.0.0.1 true\` in ${s.remote.pairs} pairs back to back, order alternating, after 1 warm-up each: medians, and the median of the pairs' ratios; ` +
      `(b) a persistent Connect gRPC client on one HTTP/2 connection: Run \`true\` then Logs follow until it ended, median of ${s.remote.round_trips} after 1 warm-up; ` +
      `(c) ${s.remote.stream_bytes / MiB} MiB of random data, a file made for the run: a job \`cat FILE\` followed by that client, against \`ssh … cat FILE\` read by the bench; both checked (byte count and SHA-256); MiB/s from the request to the end; ` +
      `(d) ${s.remote.jobs} jobs \`true\` run and followed to their end by that client, ${s.remote.in_flight} at a time; then USS/PSS of the daemon and its gateway (smaps_rollup), before and after`,
    limit: `(a) \`ssh … true\`, in the pairs above (timed there, back to back with taskmasterctl); (b) C fork+exec+wait of \`true\`, median of ${s.remote.round_trips}; (c) \`ssh … cat FILE\`; (d) none`,
    settings: s.remote,
  }),
  metrics: [
    { key: 'cli_ms', label: 'one-shot `run -f -- true`, in the pairs', unit: 'ms', digits: 1 },
    { key: 'cli_ssh_paired_ms', label: 'one-shot `ssh … true`, in the pairs', unit: 'ms', digits: 1 },
    { key: 'cli_pair_ratio', label: 'one-shot, taskmasterctl ÷ ssh in pairs', unit: '×', digits: 2, target: { text: '≤ 0.5', on: 'value', ok: (v) => v <= 0.5 } },
    { key: 'rtt_ms', label: 'job round trip, persistent client (limit: fork+exec+wait)', unit: 'ms', digits: 2, ratioTo: 'limit' },
    { key: 'stream_mib_s', label: 'job output to a remote follower (limit: ssh cat)', unit: 'MiB/s', digits: 0, ratioTo: 'limit', target: { text: '≥ 0.8× ssh', on: 'ratio', ok: (r) => r >= 0.8 } },
    { key: 'jobs_s', label: 'jobs run and followed to their end', unit: 'jobs/s', digits: 0 },
    { key: 'uss_before_mib', label: 'USS daemon + gateway, before the jobs', unit: 'MiB', digits: 1 },
    { key: 'uss_after_mib', label: 'USS daemon + gateway, after the jobs', unit: 'MiB', digits: 1 },
    { key: 'pss_after_mib', label: 'PSS daemon + gateway, after the jobs', unit: 'MiB', digits: 1 },
  ],
  measure: (_sup, ctx) => {
    const s = ctx.settings.remote;
    return withSshd(ctx, async (sshd) => {
      const tm = await startRemoteTaskmaster(ctx.dir, { job_max_running: s.job_max_running, job_output_max: s.stream_bytes + MiB });
      try {
        const jobs = tm.jobs();
        await runToEnd(jobs, [TRUE]); // the connection up, and the job path warm
        const tree = (): number[] => daemonTree(tm.pid, []);
        const before = memoryMiB(tree());
        const burstS = await burst(jobs, s.jobs, s.in_flight);
        const after = memoryMiB(tree());
        const out: Sample = { jobs_s: s.jobs / burstS, uss_before_mib: before.uss, uss_after_mib: after.uss, pss_after_mib: after.pss };

        Object.assign(out, await oneShotPairs(tm.ctl('run', '-f', '--', TRUE), sshd?.ssh(TRUE) ?? null, s.pairs));

        const rtt: number[] = [];
        for (let i = 0; i < s.round_trips; i++) {
          const t0 = nowNs();
          await runToEnd(jobs, [TRUE]);
          rtt.push(msSince(t0));
        }
        out.rtt_ms = median(rtt);

        const file = join(ctx.dir, 'stream.bin');
        const sha = makeFile(file, s.stream_bytes);
        const tally = new Tally();
        const t0 = nowNs();
        await runToEnd(jobs, ['/bin/cat', file], (c) => tally.add(c));
        out.stream_mib_s = checked('the remote follower', tally, s.stream_bytes, sha, msSince(t0));
        return out;
      } finally {
        await tm.stop();
      }
    });
  },
  limit: (ctx) => {
    const s = ctx.settings.remote;
    return withSshd(ctx, async (sshd) => {
      const loop = JSON.parse((await runOk([ctx.tools.forkexec, String(s.round_trips), TRUE])).stdout) as { median_ms: number };
      const out: Sample = { rtt_ms: loop.median_ms };
      if (!sshd) return out;
      const file = join(ctx.dir, 'stream.bin');
      const sha = makeFile(file, s.stream_bytes);
      const { tally, ms } = await sshCat(sshd, file);
      out.stream_mib_s = checked('ssh cat', tally, s.stream_bytes, sha, ms);
      return out;
    });
  },
};
