// Runs the real gateway (dist/taskmaster gateway) as an unprivileged user,
// with certificates from packaging/certs.sh, in front of a fake daemon
// socket; and the two independent clients the tests call it through.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client, type Transport } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ControlService } from '../../src/gen/taskmaster/v1/control_pb';
import type { GatewaySettings } from '../../src/gateway/settings';
import { type KeyPair, makeTestCerts, type TestCerts } from '../fixtures/certs';
import { type FakeDaemon, startFakeDaemon } from '../fixtures/fake-daemon-socket';
import { type Daemon, ROOT, waitFor } from './harness';

export const TASKMASTER = join(ROOT, 'dist/taskmaster');
/** The unprivileged account the tests run the gateway as. */
export const GATEWAY_USER = { name: 'nobody', uid: 65534, gid: 65534 };

export const pem = (file: string): string => readFileSync(file, 'utf8');

/** The `remote:` block of a daemon's config: the gateway on a free loopback port as GATEWAY_USER, these identities' rights. */
export function remoteBlock(certs: TestCerts, users: Record<string, string>): string {
  return [
    '  remote:',
    '    listen: "127.0.0.1:0"',
    `    cert: ${certs.server.cert}`,
    `    key: ${certs.server.key}`,
    `    client_ca: ${certs.ca}`,
    `    user: ${GATEWAY_USER.name}`,
    '    users:',
    ...Object.entries(users).map(([who, rights]) => `      ${who}: {${rights}}`),
    '',
  ].join('\n');
}

/** The port the daemon's gateway listens on, from the daemon's log. */
export async function gatewayPort(d: Daemon): Promise<number> {
  const port = await waitFor(() => /INFO +remote API listening on 127\.0\.0\.1:(\d+)/.exec(d.output())?.[1], 'the gateway to listen (daemon log)');
  return Number(port);
}

export interface RunningGateway {
  proc: ChildProcess;
  port: number;
  /** The JSON lines the gateway wrote on stderr so far, parsed. */
  logLines(): Record<string, unknown>[];
  stderr(): string;
  send(settings: GatewaySettings): void;
  stop(): Promise<number | null>;
}

export interface GatewayRig {
  dir: string;
  certs: TestCerts;
  daemon: FakeDaemon;
  gateway: RunningGateway;
  settings: GatewaySettings;
  close(): Promise<void>;
}

export function settingsFor(certs: TestCerts, socket: string, server: KeyPair = certs.server): GatewaySettings {
  return { listen: { host: '127.0.0.1', port: 0 }, cert: pem(server.cert), key: pem(server.key), ca: pem(certs.ca), crl: pem(certs.crl), identity: 'cn', socket, stall_timeout: 30, tokens: [], link_key: Buffer.alloc(32, 1).toString('base64') };
}

export async function startGatewayProcess(settings: GatewaySettings, user = GATEWAY_USER): Promise<RunningGateway> {
  const proc = spawn(TASKMASTER, ['gateway'], { stdio: ['pipe', 'pipe', 'pipe'], uid: user.uid, gid: user.gid });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  proc.stdin!.write(JSON.stringify(settings) + '\n');
  const listening = (await waitFor(() => {
    if (proc.exitCode !== null) throw new Error(`taskmasterd exited: the gateway exited ${proc.exitCode}: ${stderr}`);
    const line = stdout.split('\n').find((l) => l.startsWith('{"listening"'));
    return line === undefined ? null : (JSON.parse(line) as { listening: { address: string; port: number } }).listening;
  }, 'the gateway to listen'))!;
  return {
    proc,
    port: listening.port,
    stderr: () => stderr,
    logLines: () =>
      stderr
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    send: (next) => void proc.stdin!.write(JSON.stringify(next) + '\n'),
    stop: async () => {
      proc.stdin!.end();
      if (proc.exitCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}

/** Certificates, a fake daemon the gateway user may reach, and the gateway in front of it. */
export async function startRig(): Promise<GatewayRig> {
  const dir = mkdtempSync(join(tmpdir(), 'tm-gw-'));
  chmodSync(dir, 0o755); // the gateway user must reach the socket inside
  const certs = makeTestCerts(dir);
  const daemon = await startFakeDaemon(join(dir, 'gateway.sock'), GATEWAY_USER);
  const settings = settingsFor(certs, daemon.path);
  const gateway = await startGatewayProcess(settings);
  return {
    dir,
    certs,
    daemon,
    gateway,
    settings,
    close: async () => {
      await gateway.stop();
      await daemon.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Connect's own gRPC transport over HTTP/2, presenting `client`'s certificate. */
export function connectTransport(rig: GatewayRig, client: KeyPair | null, ca = rig.certs.ca): Transport {
  return createGrpcTransport({
    baseUrl: `https://localhost:${rig.gateway.port}`,
    nodeOptions: { ca: pem(ca), ...(client === null ? {} : { cert: pem(client.cert), key: pem(client.key) }) },
  });
}

export function controlClient(rig: GatewayRig, client: KeyPair | null): Client<typeof ControlService> {
  return createClient(ControlService, connectTransport(rig, client));
}

export type GrpcJsClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

const PROTO_OF = {
  'taskmaster.v1.ControlService': 'taskmaster/v1/control.proto',
  'taskmaster.v1.JobService': 'taskmaster/v1/jobs.proto',
  'grpc.health.v1.Health': 'grpc/health/v1/health.proto',
} as const;

/** @grpc/grpc-js with the schema loaded from proto/ by @grpc/proto-loader: a client that shares no code with the gateway. */
export function grpcJsAt(port: number, ca: string, client: KeyPair, service: keyof typeof PROTO_OF): GrpcJsClient {
  const definition = loadSync(PROTO_OF[service], { includeDirs: [join(ROOT, 'proto')], keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(definition);
  const Ctor = service.split('.').reduce((o: unknown, k) => (o as Record<string, unknown>)[k], pkg) as unknown as grpc.ServiceClientConstructor;
  const creds = grpc.credentials.createSsl(Buffer.from(pem(ca)), Buffer.from(pem(client.key)), Buffer.from(pem(client.cert)));
  return new Ctor(`localhost:${port}`, creds) as unknown as GrpcJsClient;
}

export function grpcJsClient(rig: GatewayRig, client: KeyPair, service: 'taskmaster.v1.ControlService' | 'grpc.health.v1.Health'): GrpcJsClient {
  return grpcJsAt(rig.gateway.port, rig.certs.ca, client, service);
}

/** A unary call of a grpc-js client as a promise; rejects with its ServiceError. */
export function grpcJsCall<T>(client: GrpcJsClient, method: string, request: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    client[method]!(request, (err: grpc.ServiceError | null, res: T) => (err ? reject(err) : resolve(res)));
  });
}
