// The hooks' real edges, alone: a command with the event on its stdin (its
// exit status, its stderr, killed with its group at the timeout), and a POST
// to an HTTP server of the test (2xx, an error status, a redirect, a refused
// connection, no answer in time).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { osHookEdges } from '../../src/hooks/hook-edges';
import { alive, waitFor } from './harness';

const edges = osHookEdges(process.env);
const opts = { timeoutMs: 10_000, user: null, env: { TASKMASTER_EVENT: 'exit' } };

test('exec: stdin and environment reach the command; its exit status and stderr are the reason', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tm-hook-'));
  try {
    const out = join(dir, 'got');
    assert.equal(await edges.exec(['sh', '-c', `cat > ${out}; echo "$TASKMASTER_EVENT" >> ${out}`], '{"a":1}', opts), null);
    assert.equal(readFileSync(out, 'utf8'), '{"a":1}exit\n');
    assert.equal(await edges.exec(['sh', '-c', 'echo "no  disk" >&2; exit 3'], '', opts), 'exit status 3 (stderr: no disk)');
    assert.equal(await edges.exec(['/nonexistent/hook'], '', opts), 'spawn /nonexistent/hook ENOENT');
    assert.equal(await edges.exec(['true'], 'x'.repeat(1024 * 1024), opts), null, 'a hook that does not read its stdin still succeeds');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('exec: at the timeout the command and what it started are killed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tm-hook-'));
  try {
    const pidFile = join(dir, 'pid');
    const why = await edges.exec(['sh', '-c', `sleep 60 & echo $! > ${pidFile}; wait`], '', { ...opts, timeoutMs: 300 });
    assert.equal(why, 'timed out after 0.3s');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(() => !alive(pid), 'the background sleep to be gone with its group');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/h?k=v` };
}

const close = (s: Server): Promise<void> => new Promise((r) => (s.closeAllConnections(), s.close(() => r())));

test('post: a 2xx is success; an error status or a redirect is its status; a refused connection and no answer in time say so', async () => {
  let got: { type?: string; body: string } | null = null;
  const ok = await serve((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => ((got = { type: req.headers['content-type'], body }), res.writeHead(202).end()));
  });
  const failing = await serve((_req, res) => res.writeHead(503).end());
  const moved = await serve((_req, res) => res.writeHead(302, { location: 'http://127.0.0.1:1/' }).end());
  const silent = await serve(() => undefined);
  try {
    assert.equal(await edges.post(ok.url, '{"type":"exit"}', 10_000), null);
    assert.deepEqual(got, { type: 'application/json', body: '{"type":"exit"}' });
    assert.equal(await edges.post(failing.url, '{}', 10_000), 'HTTP 503');
    assert.equal(await edges.post(moved.url, '{}', 10_000), 'HTTP 302');
    assert.equal(await edges.post(silent.url, '{}', 300), 'timed out after 0.3s');
    // A port that was listened on and is no more: nothing there now.
    const gone = await serve(() => undefined);
    await close(gone.server);
    assert.equal(await edges.post(gone.url, '{}', 10_000), 'connection refused');
  } finally {
    await Promise.all([ok, failing, moved, silent].map((s) => close(s.server)));
  }
});
