// What the remote load test measures and follows with: the private memory
// of a process sampled while a load runs, and the jobs' output read back
// through each client, stdout and stderr kept apart.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect as connectH2 } from 'node:http2';
import { create, toBinary } from '@bufbuild/protobuf';
import { createClient, type Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import type * as grpc from '@grpc/grpc-js';
import { JobService, LogsRequestSchema } from '../../src/gen/taskmaster/v1/jobs_pb';
import { type GrpcJsClient, pem } from './gateway-helpers';
import type { KeyPair } from '../fixtures/certs';
import type { RemoteDaemon } from './remote-helpers';

export const MiB = 1024 * 1024;

/**
 * Unique set size: the pages only this process maps (Private_Clean +
 * Private_Dirty), what it costs the machine. RSS would also count the
 * shared executable's pages, and the page cache of the spool is no one's.
 */
export function ussBytes(pid: number): number {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  let kB = 0;
  for (const m of rollup.matchAll(/^Private_(?:Clean|Dirty):\s+(\d+) kB$/gm)) kB += Number(m[1]);
  return kB * 1024;
}

/** Samples each pid's USS every `everyMs` until stopped; the peaks, in bytes. */
export function sampleMemory(pids: Record<string, number>, everyMs = 200): { stop(): Record<string, number> } {
  const peaks: Record<string, number> = {};
  const take = (): void => {
    for (const [name, pid] of Object.entries(pids)) peaks[name] = Math.max(peaks[name] ?? 0, ussBytes(pid));
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return peaks;
    },
  };
}

/** The daemon's open descriptors on `path` (the spool's writer while the job runs, and one per reader). */
export function openCount(pid: number, path: string): number {
  let n = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`) === path) n++;
    } catch {
      // closed since the listing
    }
  }
  return n;
}

/** The gateway's pid: the newest the daemon logged as started. */
export function gatewayPid(r: RemoteDaemon): number {
  const pids = [...r.d.output().matchAll(/remote API gateway started \(pid (\d+)\)/g)].map((m) => Number(m[1]));
  if (pids.length === 0) throw new Error('the daemon logged no gateway start');
  return pids.at(-1)!;
}

export interface Followed {
  stdout: Buffer;
  stderr: Buffer;
  ended: Record<string, unknown> | null;
}

/** A Logs stream of grpc-js to its end: the bytes of each stream, and how the job ended. */
export function followGrpcJs(jobs: GrpcJsClient, jobId: string): Promise<Followed> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let ended: Record<string, unknown> | null = null;
    const call = jobs.Logs!({ job_id: jobId, follow: true }) as grpc.ClientReadableStream<Record<string, unknown>>;
    call.on('data', (m: Record<string, unknown>) => {
      if (m.event === 'stdout') out.push(m.stdout as Buffer);
      else if (m.event === 'stderr') err.push(m.stderr as Buffer);
      else ended = m.ended as Record<string, unknown>;
    });
    call.on('error', reject);
    call.on('end', () => resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err), ended }));
  });
}

export function connectJobs(r: RemoteDaemon, who: KeyPair): Client<typeof JobService> {
  const transport = createGrpcTransport({
    baseUrl: `https://localhost:${r.port()}`,
    nodeOptions: { ca: pem(r.certs.ca), cert: pem(who.cert), key: pem(who.key) },
  });
  return createClient(JobService, transport);
}

/** A Logs stream of Connect's own client to its end. */
export async function followConnect(jobs: Client<typeof JobService>, jobId: string): Promise<Followed> {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  let ended: Record<string, unknown> | null = null;
  for await (const m of jobs.logs({ jobId, follow: true })) {
    if (m.event.case === 'stdout') out.push(m.event.value);
    else if (m.event.case === 'stderr') err.push(m.event.value);
    else if (m.event.case === 'ended') ended = { state: m.event.value.state, exitCode: m.event.value.exitCode };
  }
  return { stdout: Buffer.concat(out), stderr: Buffer.concat(err), ended };
}

export interface StalledCall {
  /** Bytes it received before it stopped reading. */
  received: number;
  /** Reads again, to the end of the call: the RST_STREAM code that ended it (0: none). */
  readToEnd(): Promise<number>;
}

/**
 * A gRPC Logs follow over a bare HTTP/2 client that stops reading once the
 * first bytes came: Node then stops taking the stream's data, so its window
 * closes and the gateway's writes for it wait. (grpc-js and Connect's client
 * do not serve here: they go on reading into their own buffers when the
 * application stops.)
 */
export async function stalledFollow(r: RemoteDaemon, who: KeyPair, jobId: string): Promise<StalledCall> {
  const session = connectH2(`https://localhost:${r.port()}`, { ca: pem(r.certs.ca), cert: pem(who.cert), key: pem(who.key) });
  session.unref(); // a test that fails before reading it to its end must still exit
  const message = toBinary(LogsRequestSchema, create(LogsRequestSchema, { jobId, follow: true }));
  const prefix = Buffer.alloc(5); // gRPC's frame: no compression, then the length
  prefix.writeUInt32BE(message.length, 1);
  const stream = session.request({ ':method': 'POST', ':path': '/taskmaster.v1.JobService/Logs', 'content-type': 'application/grpc', te: 'trailers' });
  stream.on('error', () => undefined); // the reset is read from rstCode
  stream.end(Buffer.concat([prefix, message]));
  const first = await new Promise<Buffer>((resolve) => stream.once('data', resolve));
  stream.pause();
  return {
    received: first.length,
    readToEnd: async () => {
      stream.resume();
      if (!stream.closed) await new Promise((resolve) => stream.once('close', resolve));
      session.close();
      return stream.rstCode ?? 0;
    },
  };
}
