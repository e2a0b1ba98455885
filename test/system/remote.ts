// The remote API in the system test: certificates made on the host and put
// in the guest's /etc/taskmaster/tls/, a config with a remote: block, and
// the host's own taskmasterctl -H. The guest shares the host's network
// (container.ts gives nspawn no --private-network), so the guest's
// 127.0.0.1:PORT is the host's.
import { spawn } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { TestCerts } from '../fixtures/certs';
import type { Guest } from './container';

export const TLS_DIR = '/etc/taskmaster/tls';

export interface CtlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** True when commands in the guest see the host's network namespace. */
export async function sharesHostNetwork(g: Guest): Promise<boolean> {
  return (await g.sh('readlink /proc/self/ns/net')).trim() === readlinkSync('/proc/self/ns/net');
}

/** A port free on the host's loopback now; the guest, on the same network, listens on it next. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The server's certificate and key, the clients' CA and the CRL, as root's, the key 0600. */
export async function installCerts(g: Guest, certs: TestCerts): Promise<void> {
  const files: [string, string, string][] = [
    [certs.server.cert, 'server.crt', '644'],
    [certs.server.key, 'server.key', '600'],
    [certs.ca, 'ca.crt', '644'],
    [certs.crl, 'crl.pem', '644'],
  ];
  // Quoted heredocs: PEM text is taken as is. umask 077: the key is never readable by others, even briefly.
  const script = files
    .map(([from, name, mode]) => `(umask 077; cat > ${TLS_DIR}/${name} <<'PEM'\n${readFileSync(from, 'utf8').trimEnd()}\nPEM\n) && chmod ${mode} ${TLS_DIR}/${name}`)
    .join(' &&\n');
  await g.sh(`install -d -m 755 -o root -g root ${TLS_DIR} &&\n${script} &&\nchown root:root ${TLS_DIR}/*`);
}

/** `base` (a test config) with a remote: block under taskmasterd, on 127.0.0.1:PORT; the gateway's user left at its default. */
export function withRemote(base: string, port: number): string {
  const block = [
    '  remote:',
    `    listen: "127.0.0.1:${port}"`,
    `    cert: ${TLS_DIR}/server.crt`,
    `    key: ${TLS_DIR}/server.key`,
    `    client_ca: ${TLS_DIR}/ca.crt`,
    `    crl: ${TLS_DIR}/crl.pem`,
    '    users:',
    '      ops: {programs: control, jobs: true}',
  ].join('\n');
  const anchor = '\n  loglevel: info\n';
  if (base.split(anchor).length !== 2) throw new Error(`the test config has no single "${anchor.trim()}" to put the remote: block after`);
  return base.replace(anchor, `${anchor}${block}\n`);
}

/** Writes `text` to `path` in the guest. */
export async function writeGuestFile(g: Guest, path: string, text: string): Promise<void> {
  await g.sh(`cat > ${path}.tmp <<'YAML'\n${text.trimEnd()}\nYAML\nmv ${path}.tmp ${path}`);
}

/** The host's dist/taskmasterctl as ops, against the guest's gateway. */
export function remoteCtl(root: string, port: number, certs: TestCerts, args: string[]): Promise<CtlResult> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TASKMASTER_')));
  const flags = ['-H', `127.0.0.1:${port}`, '--cert', certs.ops.cert, '--key', certs.ops.key, '--ca', certs.ca];
  return new Promise((resolve) => {
    const p = spawn(join(root, 'dist/taskmasterctl'), [...flags, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.once('close', (code) => (clearTimeout(timer), resolve({ code, stdout, stderr })));
  });
}

/** The processes of `cgroup` that are a gateway (`taskmaster gateway`), with their parents. */
export async function gatewaysIn(g: Guest, cgroup: string): Promise<{ pid: number; ppid: number }[]> {
  const out = await g.sh(
    `for p in $(cat ${cgroup}/cgroup.procs); do ` +
      `tr '\\0' ' ' < /proc/$p/cmdline 2>/dev/null | grep -q ' gateway $' && echo "$p $(awk '/^PPid:/ {print $2}' /proc/$p/status)"; done; true`,
  );
  return out.split('\n').filter(Boolean).map((l) => {
    const [pid = '', ppid = ''] = l.split(' ');
    return { pid: Number(pid), ppid: Number(ppid) };
  });
}
