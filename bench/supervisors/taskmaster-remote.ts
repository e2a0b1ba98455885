// taskmasterd with its remote API, as the remote workload runs it: no
// programs, the gateway on a loopback port as an unprivileged user, and
// certificates made for the run by packaging/certs.sh (a CA, the server's,
// and the client `ops` with the jobs right, its jobs run as the daemon's
// user). Clients: taskmasterctl -H, and Connect's gRPC client over one
// HTTP/2 connection.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { JobService } from '../../src/gen/taskmaster/v1/jobs_pb';
import { ROOT } from '../lib/paths';
import { waitFor } from '../lib/time';
import { startDaemon, stopDaemon } from './launch';
import { taskmasterBinDir } from './taskmaster';

/** The gateway's account: an unprivileged one every Debian system has. */
const GATEWAY_USER = 'nobody';

export interface RemoteTaskmaster {
  pid: number;
  port: number;
  /** taskmasterctl -H 127.0.0.1:PORT with the client's certificate, then `args`. */
  ctl(...args: string[]): string[];
  /** A gRPC client of JobService; every call of one client goes over one HTTP/2 connection. */
  jobs(): Client<typeof JobService>;
  stop(): Promise<void>;
}

export interface RemoteLimits {
  job_max_running: number;
  job_output_max: number;
}

export async function startRemoteTaskmaster(dir: string, limits: RemoteLimits): Promise<RemoteTaskmaster> {
  const certs = join(dir, 'certs');
  execFileSync(join(ROOT, 'packaging/certs.sh'), ['dev', certs], { stdio: ['ignore', 'ignore', 'pipe'] });
  // The gateway, as GATEWAY_USER, must reach its socket: a directory it may traverse, outside the bench's private temp dirs.
  const sockDir = mkdtempSync(join(tmpdir(), 'tm-bench-gw-'));
  chmodSync(sockDir, 0o711);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const logfile = join(dir, 'taskmasterd.log');
  const config = join(dir, 'taskmaster.yaml');
  writeFileSync(
    config,
    [
      'taskmasterd:',
      `  socket: ${join(dir, 'tm.sock')}`,
      `  childlogdir: ${join(dir, 'logs')}`,
      `  logfile: ${logfile}`,
      '  loglevel: info',
      `  job_max_running: ${limits.job_max_running}`,
      `  job_output_max: ${limits.job_output_max}`,
      '  remote:',
      '    listen: "127.0.0.1:0"',
      `    cert: ${join(certs, 'server.crt')}`,
      `    key: ${join(certs, 'server.key')}`,
      `    client_ca: ${join(certs, 'ca.crt')}`,
      `    crl: ${join(certs, 'crl.pem')}`,
      `    user: ${GATEWAY_USER}`,
      `    socket: ${join(sockDir, 'gateway.sock')}`,
      '    users:',
      '      ops: {programs: control, jobs: true}',
      'programs: {}',
      '',
    ].join('\n'),
  );
  const errFile = join(dir, 'taskmasterd.stderr');
  const child = startDaemon([join(taskmasterBinDir(), 'taskmasterd'), '-c', config], errFile);
  const stop = async (): Promise<void> => {
    await stopDaemon(child.pid, new Set());
    rmSync(sockDir, { recursive: true, force: true });
  };
  // The log file as its roller names it (taskmasterd.1.log, …), and stderr for what comes before it opens.
  const logged = (): string =>
    [...readdirSync(dir).filter((f) => /^taskmasterd.*\.log$/.test(f)), 'taskmasterd.stderr'].map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
  let port: number;
  try {
    port = await waitFor('the remote API to listen (daemon log)', 30_000, 20, () => {
      if (child.exitCode !== null) throw new Error(`taskmasterd exited ${child.exitCode}: ${logged().trim().slice(-800)}`);
      const m = /remote API listening on 127\.0\.0\.1:(\d+)/.exec(logged());
      return m ? Number(m[1]) : undefined;
    });
  } catch (err) {
    await stop();
    throw err;
  }
  const pem = (name: string): string => readFileSync(join(certs, name), 'utf8');
  const client = { cert: join(certs, 'ops.crt'), key: join(certs, 'ops.key'), ca: join(certs, 'ca.crt') };
  return {
    pid: child.pid!,
    port,
    ctl: (...args) => [join(taskmasterBinDir(), 'taskmasterctl'), '-H', `127.0.0.1:${port}`, '--cert', client.cert, '--key', client.key, '--ca', client.ca, ...args],
    jobs: () =>
      createClient(
        JobService,
        createGrpcTransport({ baseUrl: `https://127.0.0.1:${port}`, nodeOptions: { ca: pem('ca.crt'), cert: pem('ops.crt'), key: pem('ops.key') } }),
      ),
    stop,
  };
}
