// The shared probes (src/probes/) against real local servers and commands,
// and the readiness edge's pure parts: line matching and sd_notify text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { probeExec } from '../../src/probes/exec';
import { probeHttp } from '../../src/probes/http';
import { probeTcp } from '../../src/probes/tcp';
import { LineMatcher, MAX_LINE } from '../../src/readiness/line-match';
import { parseNotify } from '../../src/readiness/notify-text';

function listening(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

const closed = (server: Server) => new Promise((r) => server.close(r));

test('tcp: null when the port accepts, "connection refused" once nothing listens', async () => {
  const server = createServer((s) => s.destroy());
  const port = await listening(server);
  assert.equal(await probeTcp({ host: '127.0.0.1', port }, 5000), null);
  await closed(server);
  assert.equal(await probeTcp({ host: '127.0.0.1', port }, 5000), 'connection refused');
});

test('http: 2xx is ready; any other status, a redirect included, is the reason', async () => {
  let status = 204;
  const server = createHttpServer((_req, res) => {
    res.statusCode = status;
    if (status === 302) res.setHeader('location', '/elsewhere');
    res.end();
  });
  const port = await listening(server);
  const url = `http://127.0.0.1:${port}/health`;
  try {
    assert.equal(await probeHttp(url, 5000), null);
    status = 503;
    assert.equal(await probeHttp(url, 5000), 'HTTP 503');
    status = 302;
    assert.equal(await probeHttp(url, 5000), 'HTTP 302');
  } finally {
    await closed(server);
  }
  assert.equal(await probeHttp(url, 5000), 'connection refused');
});

test('exec: exit 0 is ready; a failure says its status; a command that hangs is killed at the timeout', async () => {
  assert.equal(await probeExec('true', { timeoutMs: 5000 }), null);
  assert.equal(await probeExec('exit 3', { timeoutMs: 5000 }), 'exit status 3');
  assert.equal(await probeExec('test -e marker', { timeoutMs: 5000, cwd: '/' }), 'exit status 1');
  assert.equal(await probeExec('sleep 30', { timeoutMs: 50 }), 'timed out after 0.05s');
});

test('an aborted probe answers "aborted" and leaves nothing running', async () => {
  const abort = new AbortController();
  const pending = probeExec('sleep 30', { timeoutMs: 60_000 }, abort.signal);
  abort.abort();
  assert.equal(await pending, 'aborted');
  assert.equal(await probeTcp({ host: '127.0.0.1', port: 1 }, 5000, abort.signal), 'aborted');
  assert.equal(await probeHttp('http://127.0.0.1:1/', 5000, abort.signal), 'aborted');
});

test('line matching: lines split across chunks, CRLF, and a last line without a newline at the end', () => {
  const m = new LineMatcher(/^ready at \d+$/);
  assert.equal(m.feed(Buffer.from('starting\nready at')), false);
  assert.equal(m.feed(Buffer.from(' 12')), false);
  assert.equal(m.feed(Buffer.from('3\r\n')), true);
  const last = new LineMatcher(/done/);
  assert.equal(last.feed(Buffer.from('all done')), false);
  assert.equal(last.end(), true);
});

test('line matching: a line past MAX_LINE without a newline is tested as it is, then forgotten', () => {
  const m = new LineMatcher(/x{10}$/);
  assert.equal(m.feed(Buffer.alloc(MAX_LINE - 5, 'a')), false);
  assert.equal(m.feed(Buffer.from('xxxxxxxxxx')), true);
  assert.equal(m.end(), false, 'nothing was kept');
});

test('sd_notify text: the assignments acted on, the others ignored', () => {
  assert.deepEqual(parseNotify('READY=1\nSTATUS=Serving 3\nMAINPID=42'), { ready: true, status: 'Serving 3', watchdog: false, reloading: false, stopping: false });
  assert.deepEqual(parseNotify('WATCHDOG=1'), { ready: false, status: null, watchdog: true, reloading: false, stopping: false });
  assert.deepEqual(parseNotify('RELOADING=1\nMONOTONIC_USEC=5\nSTOPPING=1\nSTATUS='), { ready: false, status: '', watchdog: false, reloading: true, stopping: true });
  assert.deepEqual(parseNotify('READY=0\nBARRIER=1\ngarbage'), { ready: false, status: null, watchdog: false, reloading: false, stopping: false });
});
