// GET /metrics on a real HTTP server, the daemon a stand-in: the caller's
// name goes to the daemon as `as`, its text is served with its content type,
// and refusals become 401, 403 and 503.
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { metricsRoute, type DaemonCall } from '../../src/gateway/metrics-route';
import type { Peer } from '../../src/gateway/peer';
import type { GatewaySettings } from '../../src/gateway/settings';
import { unauthenticated } from '../../src/gateway/plain-route';
import { daemonError } from '../../src/gateway/upstream';

const SETTINGS = { socket: '/run/test/gateway.sock' } as GatewaySettings;
const TEXT = '# HELP taskmaster_process_up x\n# TYPE taskmaster_process_up gauge\ntaskmaster_process_up{program="a",process="a"} 1\n';
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

interface Got {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Serves `peer`'s requests with the route (and 404 for what it leaves), sends one request, closes. */
async function ask(peer: Peer, call: DaemonCall, method = 'GET', path = '/metrics'): Promise<Got> {
  const route = metricsRoute(call);
  const server = createServer((req, res) => {
    if (!route(req, res, { peer, settings: SETTINGS, unauthenticated: (r) => unauthenticated(r, peer) })) res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise<Got>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method, path }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

function answering(calls: Record<string, unknown>[], result: unknown): DaemonCall {
  return async function* (path, req) {
    calls.push({ path, ...req });
    return result;
  };
}

function refusing(code: string): DaemonCall {
  return async function* () {
    throw daemonError({ code, message: `refused: ${code}` });
  };
}

test('a caller: the metrics call goes to the daemon as that caller; its text is served with its content type', async () => {
  const calls: Record<string, unknown>[] = [];
  const got = await ask({ ok: true, name: 'prom' }, answering(calls, { text: TEXT, content_type: CONTENT_TYPE }), 'GET', '/metrics?x=1');
  assert.deepEqual(calls, [{ path: SETTINGS.socket, cmd: 'metrics', as: 'prom' }]);
  assert.deepEqual([got.status, got.headers['content-type'], got.body], [200, CONTENT_TYPE, TEXT]);
});

test('HEAD has the headers and no body; other methods are 405; other paths are left to the next route', async () => {
  const ok = answering([], { text: TEXT, content_type: CONTENT_TYPE });
  const head = await ask({ ok: true, name: 'prom' }, ok, 'HEAD');
  assert.deepEqual([head.status, head.headers['content-type'], head.body], [200, CONTENT_TYPE, '']);
  const post = await ask({ ok: true, name: 'prom' }, ok, 'POST');
  assert.deepEqual([post.status, post.headers.allow], [405, 'GET, HEAD']);
  assert.equal((await ask({ ok: true, name: 'prom' }, ok, 'GET', '/metricsx')).status, 404);
});

test('no caller is 401 (and the daemon is not asked); EPERM is 403; an unreachable daemon 503; a bad answer 500', async () => {
  const calls: Record<string, unknown>[] = [];
  const anonymous = await ask({ ok: false, code: 'NO_CREDENTIALS', why: 'no verified client certificate' }, answering(calls, {}));
  assert.deepEqual([anonymous.status, anonymous.body, calls.length], [401, 'no verified client certificate\n', 0]);
  assert.match(String(anonymous.headers['www-authenticate']), /^Bearer /);
  const denied = await ask({ ok: true, name: 'stranger' }, refusing('EPERM'));
  assert.deepEqual([denied.status, denied.body], [403, 'refused: EPERM\n']);
  assert.equal((await ask({ ok: true, name: 'prom' }, refusing('ECONNECT'))).status, 503);
  assert.equal((await ask({ ok: true, name: 'prom' }, answering([], { text: 5 }))).status, 500);
});
