// The shared probes (src/probes/) against real local sockets, servers and
// commands: what passes, and the short reason of each way to fail.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { probeExec } from '../../src/probes/exec';
import { probeHttp } from '../../src/probes/http';
import { probeTcp } from '../../src/probes/tcp';

function listen<S extends Server | HttpServer>(server: S): Promise<{ server: S; port: number }> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port })));
}

const close = (server: Server | HttpServer): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

/** A port nothing listens on: one the OS just gave out, then closed. */
async function closedPort(): Promise<number> {
  const { server, port } = await listen(createServer());
  await close(server);
  return port;
}

/** True while `pid` exists (and is not a zombie). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Polls `check` until it holds; the limit only bounds a hung test. */
async function until(check: () => boolean, what: string): Promise<void> {
  const limit = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > limit) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('tcp: a listening port passes; a closed one is "connection refused"', async () => {
  const { server, port } = await listen(createServer((s) => s.destroy()));
  try {
    assert.equal(await probeTcp({ host: '127.0.0.1', port }, 5000), null);
  } finally {
    await close(server);
  }
  assert.equal(await probeTcp({ host: '127.0.0.1', port: await closedPort() }, 5000), 'connection refused');
});

test('tcp: an already aborted probe does not connect', async () => {
  const accepted: number[] = [];
  const { server, port } = await listen(createServer((s) => (accepted.push(1), s.destroy())));
  try {
    const abort = new AbortController();
    abort.abort();
    assert.equal(await probeTcp({ host: '127.0.0.1', port }, 5000, abort.signal), 'aborted');
    assert.deepEqual(accepted, []);
  } finally {
    await close(server);
  }
});

test('http: 200 passes, then 503 is "HTTP 503"; a redirect is not followed', async () => {
  let status = 200;
  const paths: string[] = [];
  const { server, port } = await listen(
    createHttpServer((req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(status, status === 302 ? { location: '/elsewhere' } : {});
      res.end('body');
    }),
  );
  try {
    const url = `http://127.0.0.1:${port}/health`;
    assert.equal(await probeHttp(url, 5000), null);
    status = 503;
    assert.equal(await probeHttp(url, 5000), 'HTTP 503');
    status = 302;
    assert.equal(await probeHttp(url, 5000), 'HTTP 302');
    assert.deepEqual(paths, ['/health', '/health', '/health']);
  } finally {
    await close(server);
  }
});

test('http: a server that never answers is "timed out after 0.3s"; a closed port "connection refused"', async () => {
  const held: import('node:http').ServerResponse[] = [];
  const { server, port } = await listen(createHttpServer((_req, res) => void held.push(res)));
  try {
    assert.equal(await probeHttp(`http://127.0.0.1:${port}/`, 300), 'timed out after 0.3s');
  } finally {
    for (const res of held) res.destroy();
    server.closeAllConnections();
    await close(server);
  }
  assert.equal(await probeHttp(`http://127.0.0.1:${await closedPort()}/`, 5000), 'connection refused');
});

test('http: an already aborted probe answers "aborted" without a request', async () => {
  let requests = 0;
  const { server, port } = await listen(createHttpServer((_req, res) => {
    requests += 1;
    res.end();
  }));
  try {
    const abort = new AbortController();
    abort.abort();
    assert.equal(await probeHttp(`http://127.0.0.1:${port}/`, 5000, abort.signal), 'aborted');
    assert.equal(requests, 0);
  } finally {
    await close(server);
  }
});

test('http: what is not an http(s) URL fails with a reason, without a request', async () => {
  assert.equal(await probeHttp('ftp://127.0.0.1/', 1000), 'not an http(s) URL: ftp://127.0.0.1/');
  assert.equal(await probeHttp('not a url', 1000), 'not a URL: not a url');
});

test('exec: exit 0 passes, exit 1 is "exit status 1", death by a signal is named', async () => {
  assert.equal(await probeExec('exit 0', { timeoutMs: 10_000 }), null);
  assert.equal(await probeExec('exit 1', { timeoutMs: 10_000 }), 'exit status 1');
  assert.equal(await probeExec('kill -TERM $$', { timeoutMs: 10_000 }), 'terminated by SIGTERM');
});

test('exec: runs with the given env and cwd', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tm-probe-'));
  try {
    const opts = { timeoutMs: 10_000, cwd: dir, env: { PATH: '/usr/bin:/bin', PROBE_MARK: 'yes' } };
    assert.equal(await probeExec(`test "$PROBE_MARK" = yes && test "$(pwd)" = "${dir}"`, opts), null);
    assert.equal(await probeExec('test "$PROBE_MARK" = no', opts), 'exit status 1');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('exec: as another uid and gid when given (root only)', async (t) => {
  if (process.getuid?.() !== 0) {
    t.skip('needs root to change uid: not run');
    return;
  }
  assert.equal(await probeExec('test "$(id -u)" = 65534 && test "$(id -g)" = 65534', { timeoutMs: 10_000, uid: 65534, gid: 65534, env: { PATH: '/usr/bin:/bin' } }), null);
});

test('exec: one that outlives its timeout is "timed out after 1.5s" and killed with what it started', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tm-probe-'));
  try {
    const pidFile = join(dir, 'pid');
    // The shell forks sleep (not exec): the kill must reach the whole group.
    const reason = await probeExec(`sleep 60 & echo $! > ${pidFile}; wait`, { timeoutMs: 1500 });
    assert.equal(reason, 'timed out after 1.5s');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    assert.ok(pid > 0);
    await until(() => !alive(pid), `sleep (pid ${pid}) to be killed`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('exec: an abort kills it at once and says so', async () => {
  const abort = new AbortController();
  const out = probeExec('sleep 60', { timeoutMs: 60_000 }, abort.signal);
  abort.abort();
  assert.equal(await out, 'aborted');
});

test('exec: a working dir that does not exist is a reason, not a throw', async () => {
  const reason = await probeExec('true', { timeoutMs: 10_000, cwd: '/nonexistent/dir' });
  assert.match(reason ?? '', /^cannot run: .*ENOENT/);
});
