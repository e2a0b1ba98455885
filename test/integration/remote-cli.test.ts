// taskmasterctl -H against a real gRPC server over mutual TLS 1.3: an
// in-process Connect server with the test certificates and small handlers
// standing in for the gateway, and the built CLI as a subprocess. What is
// pinned: the same output and exit codes as over the local socket, a job's
// output byte for byte, the daemon's error codes through ErrorInfo, a TLS
// refusal named, and Ctrl-C during `run -f` killing the job.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSecureServer, type Http2SecureServer, type ServerHttp2Session } from 'node:http2';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, createContextKey, createContextValues, type ConnectRouter, type HandlerContext } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { ControlService, ErrorInfoSchema, ProcessState } from '../../src/gen/taskmaster/v1/control_pb';
import { JobSchema, JobService, JobState, type Job } from '../../src/gen/taskmaster/v1/jobs_pb';
import { makeTestCerts, type KeyPair, type TestCerts } from '../fixtures/certs';
import { TASKMASTERCTL } from './harness';

const JOB_ID = '01900000-0000-7000-8000-0000000000aa';
const ENDLESS_ID = '01900000-0000-7000-8000-0000000000bb'; // the job of `run -f -- endless`: runs until killed
const BYTES = Buffer.from([0x68, 0x69, 0x0a, 0xff, 0x00, 0xe2, 0x82]); // "hi\n", then bytes that are not UTF-8
const PEER_CN = createContextKey<string>('', { description: 'the CN of the client certificate' });

/** What the server saw: the client certificate's CN and each call, in order. */
const seen: { cn: string; method: string; request: unknown }[] = [];
let killed!: () => void;
let killedNow: Promise<void>;

function armKill(): void {
  killedNow = new Promise((resolve) => (killed = resolve));
}

function note(ctx: HandlerContext, request: unknown): void {
  seen.push({ cn: ctx.values.get(PEER_CN), method: ctx.method.name, request });
}

/** The error a gateway sends: a gRPC code, and the daemon's ErrorInfo beside it. */
const daemonError = (code: string, message: string, grpc: Code) =>
  new ConnectError(message, grpc, undefined, [{ desc: ErrorInfoSchema, value: { code, message } }]);

function job(over: Partial<Omit<Job, '$typeName'>> = {}): Job {
  return create(JobSchema, { id: JOB_ID, state: JobState.RUNNING, command: 'tool', owner: 'ops', user: 'root', pid: 7, startedAt: timestampNow(), ...over });
}

function routes(router: ConnectRouter): void {
  router.service(ControlService, {
    status(req, ctx) {
      note(ctx, req);
      if (req.names.includes('nope')) throw daemonError('ENOPROGRAM', 'no such process "nope"', Code.NotFound);
      if (req.names.includes('secret')) throw new ConnectError('ops may not read secret', Code.PermissionDenied);
      return {
        processes: [
          { name: 'web', program: 'web', state: ProcessState.RUNNING, pid: 41, description: 'pid 41, uptime 0:01:02' },
          { name: 'cron', program: 'cron', state: ProcessState.STOPPED, description: 'Not started' },
        ],
      };
    },
  });
  router.service(JobService, {
    run(req, ctx) {
      note(ctx, req);
      return { job: job({ id: req.command === 'endless' ? ENDLESS_ID : JOB_ID, command: req.command, args: req.args }) };
    },
    async *logs(req, ctx) {
      note(ctx, req);
      yield { event: { case: 'stdout', value: BYTES } };
      yield { event: { case: 'stderr', value: Buffer.from('to stderr\n') } };
      if (req.jobId === ENDLESS_ID) {
        await Promise.race([killedNow, new Promise((resolve) => ctx.signal.addEventListener('abort', resolve))]);
        yield { event: { case: 'ended', value: job({ id: req.jobId, state: JobState.KILLED, signal: 'SIGTERM' }) } };
        return;
      }
      yield { event: { case: 'ended', value: job({ id: req.jobId, state: JobState.EXITED, exitCode: 3 }) } };
    },
    kill(req, ctx) {
      note(ctx, req);
      killed();
      return { job: job({ id: req.jobId }) };
    },
  });
}

let certs: TestCerts;
let server: Http2SecureServer;
const sessions = new Set<ServerHttp2Session>();
let host: string;

before(async () => {
  certs = makeTestCerts();
  armKill();
  const handler = connectNodeAdapter({
    routes,
    contextValues: (req) => createContextValues().set(PEER_CN, String((req.socket as TLSSocket).getPeerCertificate().subject?.CN ?? '')),
  });
  server = createSecureServer(
    {
      cert: readFileSync(certs.server.cert),
      key: readFileSync(certs.server.key),
      ca: readFileSync(certs.ca),
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.3',
    },
    handler,
  );
  server.on('session', (s) => (sessions.add(s), s.on('close', () => sessions.delete(s))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  for (const s of sessions) s.destroy();
  await new Promise((resolve) => server.close(resolve));
});

interface CtlRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/** The CLI as a subprocess (the server runs in this process, so never spawnSync). */
function ctl(args: string[], opts: { pair?: KeyPair; ca?: string; whileRunning?: (child: ReturnType<typeof spawn>, stdout: () => Buffer) => void } = {}): Promise<CtlRun> {
  const pair = opts.pair ?? certs.ops;
  const child = spawn(TASKMASTERCTL, ['-H', host, '--cert', pair.cert, '--key', pair.key, '--ca', opts.ca ?? certs.ca, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HOME: certs.dir, TASKMASTER_HOST: '' },
  });
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => (stderr += c));
  opts.whileRunning?.(child, () => Buffer.concat(out));
  return new Promise((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out), stderr })),
  );
}

/** Polls until `check` holds; the deadline only bounds a failure. */
async function waitFor(check: () => boolean, what: string, deadlineMs = 30_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('taskmasterctl -H over mutual TLS', () => {
  it('status prints the table and exits 3 as it does locally; the server saw the ops certificate', async () => {
    const r = await ctl(['status']);
    assert.equal(r.stderr, '');
    assert.equal(String(r.stdout), 'web    RUNNING   pid 41, uptime 0:01:02\ncron   STOPPED   Not started\n');
    assert.equal(r.code, 3);
    assert.deepEqual(seen.at(-1), { cn: 'ops', method: 'Status', request: seen.at(-1)!.request });
  });

  it('run -f streams the job output byte for byte and exits with its code', async () => {
    const r = await ctl(['run', '-f', '--', 'tool', '-x', 'arg']);
    assert.deepEqual(r.stdout, BYTES);
    assert.equal(r.stderr, 'to stderr\n');
    assert.equal(r.code, 3);
    const run = seen.find((s) => s.method === 'Run')!;
    assert.deepEqual([run.cn, (run.request as { command: string }).command, (run.request as { args: string[] }).args], ['ops', 'tool', ['-x', 'arg']]);
  });

  it("an error with the daemon's ErrorInfo: the local text and exit code (ENOPROGRAM: 4)", async () => {
    const r = await ctl(['status', 'nope']);
    assert.deepEqual([r.code, r.stderr, String(r.stdout)], [4, 'error: no such process "nope"\n', '']);
  });

  it('a gRPC status without ErrorInfo maps back: PermissionDenied is EPERM, exit 1', async () => {
    const r = await ctl(['--json', 'status', 'secret']);
    assert.equal(r.code, 1);
    assert.deepEqual(JSON.parse(String(r.stdout)), { error: { code: 'EPERM', message: 'ops may not read secret' } });
  });

  it('a CA that did not sign the server: ECONNECT, exit 4, naming the host and the TLS reason', async () => {
    const r = await ctl(['status'], { ca: certs.wrongCa.ca });
    assert.equal(r.code, 4, r.stderr);
    // Which of the two depends on whether the server sends its CA along: either names the reason.
    assert.match(
      r.stderr,
      new RegExp(`^cannot reach taskmasterd at ${host}: TLS: .+ \\((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)\\)\n$`),
    );
  });

  it('an expired client certificate: said before connecting, as the server would only hang up', async () => {
    const before = seen.length;
    const r = await ctl(['status'], { pair: certs.expired });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, `the client certificate ${certs.expired.cert} (from --cert) expired on Jan  1 00:00:00 2021 GMT\n`);
    assert.equal(seen.length, before);
  });

  it('a client certificate of another CA: the server hangs up, and the CLI says it may have refused it', async () => {
    const r = await ctl(['status'], { pair: certs.wrongCa });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, new RegExp(`^taskmasterd at ${host} closed the connection \\(did it refuse this client's certificate\\?.*\n$`));
  });

  it('Ctrl-C during run -f: the server gets a Kill for the job, the CLI waits for the end, says so, exits 130', async () => {
    armKill();
    const r = await ctl(['run', '-f', '--', 'endless'], {
      whileRunning: (child, stdout) =>
        void waitFor(() => stdout().length >= BYTES.length, 'the first output').then(() => child.kill('SIGINT')),
    });
    assert.equal(r.code, 130, r.stderr);
    const kill = seen.find((s) => s.method === 'Kill');
    assert.deepEqual(kill && [kill.cn, (kill.request as { jobId: string }).jobId], ['ops', ENDLESS_ID]);
    assert.match(r.stderr, new RegExp(`taskmasterctl: interrupted: killed job ${ENDLESS_ID}\n$`));
  });
});
