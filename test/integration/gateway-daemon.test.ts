// The daemon's side of the remote API, with the real daemon and the real
// gateway: started as the unprivileged remote.user with no supplementary
// groups, its socket the gateway user's alone, restarted when it dies, given
// new certificates by a reload (a bad one refused), stopped at shutdown.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, copyFileSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect } from 'node:tls';
import { test } from 'node:test';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { ControlService } from '../../src/gen/taskmaster/v1/control_pb';
import { makeTestCerts, type TestCerts } from '../fixtures/certs';
import { GATEWAY_USER, pem } from './gateway-helpers';
import { alive, type Daemon, ROOT, startDaemon, waitFor } from './harness';
import { procStatus } from './lifecycle-helpers';

function remoteBlock(certs: TestCerts, dir: string): string {
  return [
    '  remote:',
    '    listen: "127.0.0.1:0"',
    `    cert: ${join(dir, 'server.crt')}`,
    `    key: ${join(dir, 'server.key')}`,
    `    client_ca: ${certs.ca}`,
    `    crl: ${certs.crl}`,
    `    user: ${GATEWAY_USER.name}`,
    '    users:',
    '      ops: {programs: control}',
    '',
  ].join('\n');
}

/** The pid and port of the newest gateway, once it listens, from the daemon's log. */
async function gatewayOf(d: Daemon, after = 0): Promise<{ pid: number; port: number }> {
  return waitFor(() => {
    const out = d.output();
    const pids = [...out.matchAll(/remote API gateway started \(pid (\d+)\)/g)].map((m) => Number(m[1]));
    const ports = [...out.matchAll(/INFO +remote API listening on 127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
    const pid = pids.at(-1);
    return pids.length > after && ports.length >= pids.length && pid !== undefined ? { pid, port: ports.at(-1)! } : null;
  }, 'the gateway to listen (daemon log)').then((g) => g!);
}

function fingerprintAt(port: number, certs: TestCerts): Promise<string> {
  return new Promise((done, fail) => {
    const s = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pem(certs.ca), cert: pem(certs.ops.cert), key: pem(certs.ops.key) });
    s.once('secureConnect', () => (done(s.getPeerCertificate().fingerprint256), s.destroy()));
    s.once('error', fail);
  });
}

test('the daemon runs the gateway as remote.user, keeps it running, reloads its certificates and stops it', async () => {
  assert.equal(process.getuid?.(), 0, 'this test needs root (CI runs the suite as root): the gateway is started as another user');
  const certs = makeTestCerts();
  const live = join(certs.dir, 'live');
  execFileSync('mkdir', ['-p', live]);
  copyFileSync(certs.server.cert, join(live, 'server.crt'));
  copyFileSync(certs.server.key, join(live, 'server.key'));
  // The gateway user must reach its socket: the daemon's directory is
  // searchable by others, as /run/taskmaster (systemd's RuntimeDirectory, 0755) is.
  const dir = mkdtempSync(join(tmpdir(), 'tm-it-'));
  chmodSync(dir, 0o711);
  const d = await startDaemon('  {}\n', remoteBlock(certs, live), dir);
  try {
    const first = await gatewayOf(d);
    assert.deepEqual(procStatus(first.pid, 'Uid'), Array(4).fill(String(GATEWAY_USER.uid)), 'real, effective, saved, fs uid');
    assert.deepEqual(procStatus(first.pid, 'Gid'), Array(4).fill(String(GATEWAY_USER.gid)));
    assert.deepEqual(procStatus(first.pid, 'Groups'), [], 'no supplementary groups');

    const sock = statSync(join(d.dir, 'gateway.sock'));
    assert.ok(sock.isSocket());
    assert.equal(sock.mode & 0o777, 0o600);
    assert.equal(sock.uid, GATEWAY_USER.uid, 'the gateway socket belongs to the gateway user');

    // The gateway's socket serves the gateway's requests as the identity they name.
    const client = createClient(ControlService, createGrpcTransport({ baseUrl: `https://localhost:${first.port}`, nodeOptions: { ca: pem(certs.ca), cert: pem(certs.ops.cert), key: pem(certs.ops.key) } }));
    assert.deepEqual((await client.status({})).processes, []);
    const err = await client.status({ names: ['nosuch'] }).then(() => null, (e: unknown) => ConnectError.from(e));
    assert.equal(err?.code, Code.NotFound, String(err));

    // Dies → restarted.
    process.kill(first.pid, 'SIGKILL');
    const second = await gatewayOf(d, 1);
    assert.notEqual(second.pid, first.pid);
    assert.match(d.output(), /remote API gateway exited \(SIGKILL\); restarting/);

    // A reload with a new server certificate: a new connection sees it.
    execFileSync(resolve(ROOT, 'packaging/certs.sh'), ['server', certs.dir, 'server2', 'DNS:localhost', 'IP:127.0.0.1'], { stdio: 'ignore' });
    copyFileSync(join(certs.dir, 'server2.crt'), join(live, 'server.crt'));
    copyFileSync(join(certs.dir, 'server2.key'), join(live, 'server.key'));
    const ok = d.ctl('reload');
    assert.equal(ok.code, 0, ok.stderr);
    const fresh = new X509Certificate(pem(join(certs.dir, 'server2.crt'))).fingerprint256;
    await waitFor(async () => (await fingerprintAt(second.port, certs)) === fresh, 'the new certificate on a new connection');

    // A reload with an expired server certificate is refused; nothing changes.
    copyFileSync(certs.expired.cert, join(live, 'server.crt'));
    copyFileSync(certs.expired.key, join(live, 'server.key'));
    const refused = d.ctl('reload');
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr + refused.stdout, /server\.crt: the certificate expired/);
    assert.equal(await fingerprintAt(second.port, certs), fresh);
    assert.ok(alive(second.pid));

    d.proc.kill('SIGTERM');
    await d.exited;
    assert.ok(!alive(second.pid), 'the gateway stopped with the daemon');
  } finally {
    await d.stop();
  }
});
