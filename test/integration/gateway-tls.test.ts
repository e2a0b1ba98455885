// The gateway's handshake: who is refused and how it is logged, a reload of
// its certificates under live streams, and health when the daemon is gone.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { join, resolve } from 'node:path';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { after, before, test } from 'node:test';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { Health, HealthCheckResponse_ServingStatus as Serving } from '../../src/gen/grpc/health/v1/health_pb';
import type { KeyPair } from '../fixtures/certs';
import { connectTransport, controlClient, type GatewayRig, pem, settingsFor, startRig } from './gateway-helpers';
import { ROOT, waitFor } from './harness';

let rig: GatewayRig;
before(async () => {
  rig = await startRig();
});
after(() => rig.close());

function tlsTo(options: ConnectionOptions): TLSSocket {
  const s = connect({ host: '127.0.0.1', port: rig.gateway.port, servername: 'localhost', ca: pem(rig.certs.ca), ALPNProtocols: ['h2'], ...options });
  s.on('error', () => undefined); // a refusal is seen as the close that follows
  return s;
}

/**
 * True once the gateway has closed a connection made with `options`. With
 * TLS 1.3 the client's handshake is over before the server has checked its
 * certificate, so a refusal shows as the server closing the connection, not
 * always as a handshake error. Bounded only against a hung test.
 */
function refused(options: ConnectionOptions): Promise<boolean> {
  return new Promise((done) => {
    const s = tlsTo(options);
    const limit = setTimeout(() => (s.destroy(), done(false)), 30_000);
    s.once('close', () => (clearTimeout(limit), done(true)));
  });
}

/** The fingerprint of the certificate the gateway presents to a new connection. */
function serverFingerprint(): Promise<string> {
  return new Promise((done, fail) => {
    const s = tlsTo(withCert(rig.certs.ops));
    s.once('secureConnect', () => (done(s.getPeerCertificate().fingerprint256), s.destroy()));
    s.once('close', () => fail(new Error('closed before the handshake')));
  });
}

const withCert = (k: KeyPair): ConnectionOptions => ({ cert: pem(k.cert), key: pem(k.key) });

const refusalLines = (): Record<string, unknown>[] => rig.gateway.logLines().filter((l) => typeof l.code === 'string' && typeof l.peer === 'string');

test('refused at the handshake, each logged once per peer and reason, with no key material', async () => {
  const cases: [string, () => ConnectionOptions, string][] = [
    ['another CA', () => withCert(rig.certs.wrongCa), 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
    ['expired', () => withCert(rig.certs.expired), 'CERT_HAS_EXPIRED'],
    ['not yet valid', () => withCert(rig.certs.future), 'CERT_NOT_YET_VALID'],
    ['revoked', () => withCert(rig.certs.revoked), 'CERT_REVOKED'],
    ['TLS 1.2 only', () => ({ ...withCert(rig.certs.ops), maxVersion: 'TLSv1.2' }), 'ERR_SSL_UNSUPPORTED_PROTOCOL'],
  ];
  for (const [what, options, code] of cases) {
    assert.ok(await refused(options()), `${what}: refused`);
    const line = await waitFor(() => refusalLines().find((l) => l.code === code), `the refusal of ${what} logged as ${code}`);
    assert.equal(line?.peer, '127.0.0.1', what);
    assert.equal(typeof line?.reason, 'string', what);
  }
  // The same peers and reasons again: nothing new. Then one more from another
  // address: its line, once there, shows the gateway has dealt with the rest.
  for (const [what, options] of cases) assert.ok(await refused(options()), `${what}, again: refused`);
  // (net's localAddress, which tls.connect passes on.)
  assert.ok(await refused({ ...withCert(rig.certs.expired), localAddress: '127.0.0.2' } as ConnectionOptions));
  await waitFor(() => refusalLines().some((l) => l.peer === '127.0.0.2'), 'the refusal from 127.0.0.2 logged');
  assert.equal(refusalLines().length, cases.length + 1, JSON.stringify(refusalLines(), null, 1));
  assert.doesNotMatch(rig.gateway.stderr(), /BEGIN|PRIVATE|MII[A-Za-z0-9+/]{20}/, 'no PEM or DER in the log');
  assert.equal(rig.daemon.requests.length, 0, 'no refused client reached the daemon');
});

test('without a client certificate the handshake succeeds (a token may come with the request), and a request with neither is refused: Unauthenticated, logged once', async () => {
  const before = rig.daemon.requests.length;
  for (let i = 0; i < 2; i++) {
    const err = await controlClient(rig, null).status({}).then(() => null, (e: unknown) => ConnectError.from(e));
    assert.equal(err?.code, Code.Unauthenticated, String(err));
    assert.match(err?.rawMessage ?? '', /no client certificate and no bearer token/);
  }
  const health = await createClient(Health, connectTransport(rig, null)).check({ service: '' }).then(() => null, (e: unknown) => ConnectError.from(e));
  assert.equal(health?.code, Code.Unauthenticated, 'Health too');
  await waitFor(() => refusalLines().some((l) => l.code === 'NO_CREDENTIALS'), 'the refusal logged');
  assert.equal(refusalLines().filter((l) => l.code === 'NO_CREDENTIALS').length, 1, 'once per peer and reason');
  assert.equal(rig.daemon.requests.length, before, 'no refused request reached the daemon');
});

test('a certificate the CA signed but no config names still reaches the daemon, which decides (as "stranger")', async () => {
  await controlClient(rig, rig.certs.stranger).status({ names: [] });
  assert.equal(rig.daemon.requests.at(-1)?.as, 'stranger');
});

test('reload: a new server certificate for new connections, while an established follow goes on', async () => {
  const abort = new AbortController();
  const it = controlClient(rig, rig.certs.ops).tail({ name: 'web', follow: true }, { signal: abort.signal })[Symbol.asyncIterator]();
  assert.equal((await it.next()).value?.data, 'first\n');
  const old = new X509Certificate(pem(rig.certs.server.cert)).fingerprint256;
  assert.equal(await serverFingerprint(), old);

  execFileSync(resolve(ROOT, 'packaging/certs.sh'), ['server', rig.certs.dir, 'server2', 'DNS:localhost', 'IP:127.0.0.1'], { stdio: 'ignore' });
  const server2 = { cert: join(rig.certs.dir, 'server2.crt'), key: join(rig.certs.dir, 'server2.key') };
  const fresh = new X509Certificate(pem(server2.cert)).fingerprint256;
  rig.gateway.send(settingsFor(rig.certs, rig.daemon.path, server2));
  await waitFor(async () => (await serverFingerprint()) === fresh, 'a new connection to see the new certificate');

  rig.daemon.push('after the reload\n');
  assert.equal((await it.next()).value?.data, 'after the reload\n', 'the follow opened before the reload goes on');
  abort.abort();
  await it.next().catch(() => undefined);
});

test('Health: Watch says SERVING, then NOT_SERVING once the daemon is gone; Check says NOT_SERVING', async () => {
  const health = createClient(Health, connectTransport(rig, rig.certs.ops));
  const abort = new AbortController();
  const watch = health.watch({ service: '' }, { signal: abort.signal })[Symbol.asyncIterator]();
  assert.equal((await watch.next()).value?.status, Serving.SERVING);
  await rig.daemon.close();
  assert.equal((await watch.next()).value?.status, Serving.NOT_SERVING);
  abort.abort();
  await watch.next().catch(() => undefined);
  assert.equal((await health.check({ service: '' })).status, Serving.NOT_SERVING);
  const err = await controlClient(rig, rig.certs.ops).status({}).then(() => null, (e: unknown) => ConnectError.from(e));
  assert.equal(err?.code, 14 /* Unavailable */, String(err));
});
