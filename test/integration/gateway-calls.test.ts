// The gateway forwards calls to the daemon as the caller's identity, and
// brings the daemon's errors back as gRPC statuses with the taskmaster code:
// through Connect's own gRPC client and through @grpc/grpc-js.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import * as grpc from '@grpc/grpc-js';
import { Health, HealthCheckResponse_ServingStatus } from '../../src/gen/grpc/health/v1/health_pb';
import { ControlService, ErrorInfoSchema, ProcessState } from '../../src/gen/taskmaster/v1/control_pb';
import { connectTransport, controlClient, type GatewayRig, grpcJsCall, grpcJsClient, pem, startRig, TASKMASTER } from './gateway-helpers';
import { waitFor } from './harness';
import { procStatus } from './lifecycle-helpers';

let rig: GatewayRig;
before(async () => {
  rig = await startRig();
});
after(() => rig.close());

test('the gateway runs as the unprivileged user it was started as', () => {
  assert.deepEqual(procStatus(rig.gateway.proc.pid!, 'Uid'), Array(4).fill('65534'));
});

test('run as root, the gateway refuses to start', () => {
  assert.equal(process.getuid?.(), 0, 'this check needs root (CI runs the suite as root)');
  const r = spawnSync(TASKMASTER, ['gateway'], { input: '', encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /refusing to run as root/);
});

test('the Connect protocol, JSON over HTTP/1.1 as from a browser, is served by the same handlers', async () => {
  const before = rig.daemon.requests.length;
  const transport = createConnectTransport({
    baseUrl: `https://localhost:${rig.gateway.port}`,
    httpVersion: '1.1',
    useBinaryFormat: false,
    nodeOptions: { ca: pem(rig.certs.ca), cert: pem(rig.certs.ops.cert), key: pem(rig.certs.ops.key) },
  });
  const res = await createClient(ControlService, transport).version({});
  assert.equal(res.version, 'fake-1.0');
  assert.deepEqual(rig.daemon.requests.slice(before), [{ id: 1, cmd: 'version', as: 'ops' }]);
});

test('Connect client as ops: status reaches the daemon as "ops", and its answer comes back typed', async () => {
  const before = rig.daemon.requests.length;
  const res = await controlClient(rig, rig.certs.ops).status({ names: ['web'] });
  assert.equal(res.processes[0]?.name, 'web');
  assert.equal(res.processes[0]?.state, ProcessState.RUNNING);
  assert.equal(res.processes[0]?.pid, 42);
  assert.deepEqual(rig.daemon.requests.slice(before), [{ id: 1, cmd: 'status', names: ['web'], as: 'ops' }]);
});

test('grpc-js client as dev: status reaches the daemon as "dev"', async () => {
  const before = rig.daemon.requests.length;
  const client = grpcJsClient(rig, rig.certs.dev, 'taskmaster.v1.ControlService');
  try {
    const res = await grpcJsCall<{ processes: { name: string; state: string }[] }>(client, 'Status', { names: [] });
    assert.equal(res.processes[0]?.name, 'web');
    assert.equal(res.processes[0]?.state, 'PROCESS_STATE_RUNNING');
  } finally {
    client.close();
  }
  assert.equal(rig.daemon.requests.slice(before)[0]?.as, 'dev');
});

test('a daemon error comes back with its gRPC code and the taskmaster code in ErrorInfo (Connect client)', async () => {
  const err = await controlClient(rig, rig.certs.ops).start({ names: ['nope'] }).then(
    () => assert.fail('start of an unknown program succeeded'),
    (e: unknown) => ConnectError.from(e),
  );
  assert.equal(err.code, Code.NotFound);
  assert.match(err.rawMessage, /no program named/);
  const [info] = err.findDetails(ErrorInfoSchema);
  assert.deepEqual({ code: info?.code, message: info?.message }, { code: 'ENOPROGRAM', message: err.rawMessage });
});

test('a daemon error comes back with its gRPC code (grpc-js client)', async () => {
  const client = grpcJsClient(rig, rig.certs.ops, 'taskmaster.v1.ControlService');
  try {
    const err = (await grpcJsCall(client, 'Start', { names: ['nope'] }).then(
      () => assert.fail('start of an unknown program succeeded'),
      (e: unknown) => e,
    )) as grpc.ServiceError;
    assert.equal(err.code, grpc.status.NOT_FOUND);
    assert.match(err.details, /no program named/);
    assert.ok(err.metadata.get('grpc-status-details-bin').length === 1, 'the status details (ErrorInfo) travel in grpc-status-details-bin');
  } finally {
    client.close();
  }
});

test('Health Check: SERVING while the daemon answers (both clients)', async () => {
  const health = createClient(Health, connectTransport(rig, rig.certs.ops));
  assert.equal((await health.check({ service: '' })).status, HealthCheckResponse_ServingStatus.SERVING);
  assert.equal((await health.check({ service: 'taskmaster.v1.ControlService' })).status, HealthCheckResponse_ServingStatus.SERVING);
  const err = await health.check({ service: 'no.Such' }).then(() => null, (e: unknown) => ConnectError.from(e));
  assert.equal(err?.code, Code.NotFound);
  const client = grpcJsClient(rig, rig.certs.dev, 'grpc.health.v1.Health');
  try {
    assert.deepEqual(await grpcJsCall(client, 'Check', { service: '' }), { status: 'SERVING' });
  } finally {
    client.close();
  }
});

test('a follow stays open through the gateway, gets what the daemon pushes, and ends the daemon side when the client leaves', async () => {
  const abort = new AbortController();
  const closedBefore = rig.daemon.followsClosed();
  const stream = controlClient(rig, rig.certs.ops).tail({ name: 'web', follow: true }, { signal: abort.signal });
  const it = stream[Symbol.asyncIterator]();
  assert.equal((await it.next()).value?.data, 'first\n');
  assert.equal(rig.daemon.follows.size, 1);
  rig.daemon.push('second\n');
  assert.equal((await it.next()).value?.data, 'second\n');
  abort.abort();
  await it.next().catch(() => undefined);
  await waitFor(() => rig.daemon.followsClosed() === closedBefore + 1, 'the daemon side of the follow to close');
});
