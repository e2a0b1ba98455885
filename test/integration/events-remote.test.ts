// The event stream over the remote API, with the real daemon, the real
// gateway and a TLS client of the test: an identity with the read right gets
// the events, through the remote CLI too; one without, or a client with no
// certificate, is refused.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type JsonObject } from '@bufbuild/protobuf';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { ControlService } from '../../src/gen/taskmaster/v1/control_pb';
import { type KeyPair, makeTestCerts, type TestCerts } from '../fixtures/certs';
import { gatewayPort, pem, remoteBlock } from './gateway-helpers';
import { startDaemon, TASKMASTERCTL, waitFor } from './harness';
import { program } from './lifecycle-helpers';

const USERS = { ops: 'programs: read', dev: 'programs: none' };

function client(port: number, certs: TestCerts, as: KeyPair | null) {
  const tls = as === null ? {} : { cert: pem(as.cert), key: pem(as.key) };
  return createClient(ControlService, createGrpcTransport({ baseUrl: `https://localhost:${port}`, nodeOptions: { ca: pem(certs.ca), ...tls } }));
}

/** The first `n` events the stream brings (the program below makes them without end). */
async function firstEvents(c: ReturnType<typeof client>, n: number): Promise<JsonObject[]> {
  const got: JsonObject[] = [];
  for await (const { event } of c.events({}, { signal: AbortSignal.timeout(60_000) })) {
    if (event !== undefined) got.push(event);
    if (got.length >= n) break;
  }
  return got;
}

const refusal = (p: Promise<unknown>): Promise<ConnectError | null> => p.then(() => null, (e: unknown) => ConnectError.from(e));

test('events over the remote API: streamed to an identity with the read right, refused to others', async () => {
  assert.equal(process.getuid?.(), 0, 'this test needs root (CI runs the suite as root): the gateway is started as another user');
  const certs = makeTestCerts();
  // The gateway user must reach its socket: the daemon's directory is searchable by others.
  const dir = mkdtempSync(join(tmpdir(), 'tm-it-'));
  chmodSync(dir, 0o711);
  // A program that exits every half second and is restarted: events without end.
  const d = await startDaemon(program('cyc', { env: { CHILD_EXIT_AFTER_MS: '500' }, autorestart: true }), remoteBlock(certs, USERS), dir);
  try {
    const port = await gatewayPort(d);
    const events = await firstEvents(client(port, certs, certs.ops), 3);
    for (const e of events) {
      assert.ok(e.type === 'state' || e.type === 'exit', JSON.stringify(e));
      assert.equal(e.process, 'cyc');
    }
    assert.ok(events.some((e) => e.type === 'state' && typeof e.to === 'string'), JSON.stringify(events));

    const dev = await refusal(firstEvents(client(port, certs, certs.dev), 1));
    assert.equal(dev?.code, Code.PermissionDenied, String(dev));
    assert.match(dev?.rawMessage ?? '', /identity dev may not events: it needs the read right/);
    const anonymous = await refusal(firstEvents(client(port, certs, null), 1));
    assert.equal(anonymous?.code, Code.Unauthenticated, String(anonymous));

    // The remote CLI: the same command as on the socket; Ctrl-C ends it.
    const args = ['-H', `localhost:${port}`, '--cert', certs.ops.cert, '--key', certs.ops.key, '--ca', certs.ca, 'events', '--json'];
    const cli = spawn(TASKMASTERCTL, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: certs.dir, TASKMASTER_HOST: '' } });
    let out = '';
    cli.stdout.on('data', (c: Buffer) => (out += c.toString()));
    cli.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const ended = new Promise<number | null>((r) => cli.once('exit', (code) => r(code)));
    try {
      const line = await waitFor(() => out.split('\n').find((l) => l.startsWith('{')), 'an event at the remote CLI');
      assert.equal((JSON.parse(line!) as JsonObject).process, 'cyc');
      cli.kill('SIGINT');
      assert.equal(await ended, 0, out);
    } finally {
      cli.kill('SIGKILL');
    }
  } finally {
    await d.stop();
  }
});
