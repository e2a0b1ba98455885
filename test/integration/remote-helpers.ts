// The real daemon with its remote API: the gateway it starts as an
// unprivileged user, certificates from packaging/certs.sh, and the clients
// that reach it — taskmasterctl -H, Python's gRPC, @grpc/grpc-js.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KeyPair, makeTestCerts, type TestCerts } from '../fixtures/certs';
import { GATEWAY_USER, grpcJsAt, type GrpcJsClient } from './gateway-helpers';
import { type CtlResult, type Daemon, ROOT, runCtl, startDaemon, waitFor } from './harness';

export const JOB_USER = 'tm-jobber';
const PYTHON_CLIENT = join(ROOT, 'test/fixtures/grpc_client.py');

export interface RemoteDaemon {
  d: Daemon;
  certs: TestCerts & { boss: KeyPair };
  /** The gateway's port: the newest it listens on (a restarted gateway listens anew, on another port with listen :0). */
  port(): number;
  /** taskmasterctl -H, as `who`. */
  ctl(who: KeyPair, ...args: string[]): Promise<CtlResult>;
  /** test/fixtures/grpc_client.py as `who`: its JSON lines, and its exit code. */
  python(who: KeyPair, ...args: string[]): Promise<{ code: number; lines: Record<string, unknown>[]; stderr: string }>;
  /** The same, still running: its lines so far, and whether it has exited. */
  pythonStream(who: KeyPair, ...args: string[]): { lines(): Record<string, unknown>[]; ended(): boolean };
}

export function ensureJobUser(): void {
  try {
    execFileSync('id', ['-u', JOB_USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', JOB_USER]);
  }
}

/**
 * Identities: ops controls programs and runs jobs as root (the daemon's
 * user); dev reads and runs jobs as JOB_USER; boss reads and is the jobs'
 * admin. `extra` goes under `taskmasterd:` beside `remote:`; `remoteLines`
 * (e.g. `stall_timeout: 2s`) under `remote:`.
 */
export async function startRemoteDaemon(programs: string, extra = '', remoteLines: string[] = []): Promise<RemoteDaemon> {
  ensureJobUser();
  const dir = mkdtempSync(join(tmpdir(), 'tm-remote-'));
  chmodSync(dir, 0o711); // the gateway user reaches its socket in here, as in /run/taskmaster
  const base = makeTestCerts(dir);
  execFileSync(join(ROOT, 'packaging/certs.sh'), ['client', base.dir, 'boss'], { stdio: 'ignore' });
  const certs = { ...base, boss: { cert: join(base.dir, 'boss.crt'), key: join(base.dir, 'boss.key') } };
  const remote = [
    '  remote:',
    '    listen: "127.0.0.1:0"',
    `    cert: ${certs.server.cert}`,
    `    key: ${certs.server.key}`,
    `    client_ca: ${certs.ca}`,
    `    crl: ${certs.crl}`,
    `    user: ${GATEWAY_USER.name}`,
    ...remoteLines.map((l) => `    ${l}`),
    '    users:',
    '      ops: {programs: control, jobs: true}',
    `      dev: {programs: read, jobs: true, run_as: ${JOB_USER}}`,
    '      boss: {programs: read, jobs: true, admin: true}',
    '',
  ].join('\n');
  const d = await startDaemon(programs, extra + remote, dir);
  const ports = () => [...d.output().matchAll(/INFO +remote API listening on 127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
  await waitFor(() => ports().length > 0, 'the gateway to listen (daemon log)');
  const port = () => ports().at(-1)!;
  const target = () => `127.0.0.1:${port()}`;
  const pythonArgs = (who: KeyPair, args: string[]) => [PYTHON_CLIENT, '--target', target(), '--ca', certs.ca, '--cert', who.cert, '--key', who.key, ...args];
  return {
    d,
    certs,
    port,
    pythonStream: (who, ...args) => {
      const p = spawn('/usr/bin/python3', pythonArgs(who, args), { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      let done = false;
      p.stdout.on('data', (c: Buffer) => (out += c.toString()));
      p.once('close', () => (done = true));
      return {
        lines: () => out.split('\n').filter((l) => l.endsWith('}')).map((l) => JSON.parse(l) as Record<string, unknown>),
        ended: () => done,
      };
    },
    ctl: (who, ...args) => runCtl(['-H', target(), '--cert', who.cert, '--key', who.key, '--ca', certs.ca, ...args]),
    python: (who, ...args) =>
      new Promise((done) => {
        const p = spawn('/usr/bin/python3', pythonArgs(who, args));
        let out = '';
        let err = '';
        p.stdout.on('data', (c: Buffer) => (out += c.toString()));
        p.stderr.on('data', (c: Buffer) => (err += c.toString()));
        p.once('close', (code) =>
          done({ code: code ?? -1, stderr: err, lines: out.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>) }),
        );
      }),
  };
}

/** @grpc/grpc-js, as `who`, at the gateway's newest port. */
export function grpcJs(r: RemoteDaemon, who: KeyPair, service: 'ControlService' | 'JobService'): GrpcJsClient {
  return grpcJsAt(r.port(), r.certs.ca, who, `taskmaster.v1.${service}`);
}
