// The gateway's route for the web view's files, on a real HTTP server: the
// headers a browser needs (type, CSP, nosniff, caching), revalidation, gzip,
// and what it leaves to the Connect handler.
import assert from 'node:assert/strict';
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { parseWebFiles, webFilesRoute } from '../../src/gateway/web-files';
import type { PlainRoute } from '../../src/gateway/plain-route';

const PAGE = '<!doctype html><script type="module" src="/main-AB12.js"></script>';
const SCRIPT = 'console.log(1);'.repeat(100);
const ASSET = JSON.stringify({
  files: {
    '/': { type: 'text/html; charset=utf-8', immutable: false, etag: '"page1"', body: Buffer.from(PAGE).toString('base64') },
    '/main-AB12.js': { type: 'text/javascript; charset=utf-8', immutable: true, etag: '"js1"', body: Buffer.from(SCRIPT).toString('base64') },
  },
});

/** A server whose requests go to `route` first, then to a 404 that stands for the Connect handler. */
async function serve(route: PlainRoute): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    if (route(req, res, { peer: { ok: false, code: 'NO_CREDENTIALS', why: 'test' }, settings: null as never, unauthenticated: () => assert.fail('the web files need no caller') })) return;
    res.writeHead(404, { 'x-fell-through': '1' }).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('gateway web files', () => {
  let good: { server: Server; url: string };
  let missing: { server: Server; url: string };
  let loads = 0;
  before(async () => {
    good = await serve(webFilesRoute(() => (loads++, parseWebFiles(ASSET))));
    missing = await serve(webFilesRoute(() => ({ ok: false, why: 'not built' })));
  });
  after(() => {
    good.server.close();
    missing.server.close();
  });

  it('serves the page, revalidated on each load, with a strict CSP and nosniff', async () => {
    const res = await fetch(`${good.url}/`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), PAGE);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /default-src 'none'/);
    assert.equal((await fetch(`${good.url}/?from=bookmark`)).status, 200);
  });

  it('answers 304 to a browser that has this build, 200 to one that has another', async () => {
    assert.equal((await fetch(`${good.url}/`, { headers: { 'if-none-match': '"page1"' } })).status, 304);
    assert.equal((await fetch(`${good.url}/`, { headers: { 'if-none-match': '"page0"' } })).status, 200);
  });

  it('lets browsers keep hash-named files for good, gzipped when asked', async () => {
    const res = await fetch(`${good.url}/main-AB12.js`, { headers: { 'accept-encoding': 'identity' } });
    assert.equal(await res.text(), SCRIPT);
    assert.match(res.headers.get('cache-control') ?? '', /max-age=31536000, immutable/);
    assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8');
    const zipped = await new Promise<{ encoding: string | undefined; body: Buffer }>((done, fail) => {
      // node:http, not fetch: fetch would unzip it out of sight.
      get(`${good.url}/main-AB12.js`, { headers: { 'accept-encoding': 'gzip' } }, (res: IncomingMessage) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => done({ encoding: res.headers['content-encoding'], body: Buffer.concat(parts) }));
      }).on('error', fail);
    });
    assert.equal(zipped.encoding, 'gzip');
    assert.equal(gunzipSync(zipped.body).toString(), SCRIPT);
    assert.ok(zipped.body.length < SCRIPT.length);
  });

  it('answers HEAD without a body', async () => {
    const res = await fetch(`${good.url}/`, { method: 'HEAD' });
    assert.deepEqual([res.status, await res.text()], [200, '']);
  });

  it('leaves other paths and methods (the rpcs) to the next handler', async () => {
    assert.equal((await fetch(`${good.url}/nosuch.js`)).headers.get('x-fell-through'), '1');
    assert.equal((await fetch(`${good.url}/`, { method: 'POST' })).headers.get('x-fell-through'), '1');
    assert.equal((await fetch(`${good.url}/taskmaster.v1.ControlService/Status`, { method: 'POST', body: '{}' })).headers.get('x-fell-through'), '1');
  });

  it('reads the asset once', () => {
    assert.equal(loads, 1);
  });

  it('says why when the files are missing, and still leaves the rpcs alone', async () => {
    const res = await fetch(`${missing.url}/`);
    assert.equal(res.status, 503);
    assert.match(await res.text(), /web view not available: not built/);
    assert.equal((await fetch(`${missing.url}/main-AB12.js`)).headers.get('x-fell-through'), '1');
  });

  it('refuses an asset without a page', () => {
    const parsed = parseWebFiles(JSON.stringify({ files: {} }));
    assert.equal(parsed.ok, false);
    assert.equal(parseWebFiles('{').ok, false);
  });
});
