// The gateway's pure parts: the refusal log's once-per-pair rule and its
// bound, the SAN identity rule, and the settings line's checks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstSan } from '../../src/gateway/peer';
import { type Refusal, RefusalLog } from '../../src/gateway/refusals';
import { type PlainResponse, unauthenticated } from '../../src/gateway/plain-route';
import { parseSettings } from '../../src/gateway/settings';

const refusal = (peer: string, code = 'CERT_HAS_EXPIRED'): Refusal => ({ peer, code, reason: 'r' });

test('a refusal is written once per (peer, reason)', () => {
  const written: Refusal[] = [];
  const log = new RefusalLog(100, (r) => written.push(r));
  for (let i = 0; i < 5; i++) log.report(refusal('10.0.0.1'));
  log.report(refusal('10.0.0.1', 'CERT_REVOKED'));
  log.report(refusal('10.0.0.2'));
  assert.deepEqual(written.map((r) => `${r.peer} ${r.code}`), ['10.0.0.1 CERT_HAS_EXPIRED', '10.0.0.1 CERT_REVOKED', '10.0.0.2 CERT_HAS_EXPIRED']);
});

test('past its capacity the least recently seen pair is forgotten (and would be written again)', () => {
  const written: Refusal[] = [];
  const log = new RefusalLog(3, (r) => written.push(r));
  for (const p of ['a', 'b', 'c']) log.report(refusal(p));
  log.report(refusal('a')); // a is now the most recent; b the least
  log.report(refusal('d')); // forgets b
  log.report(refusal('a'));
  log.report(refusal('c'));
  assert.equal(written.length, 4, 'a, b, c, d once each');
  log.report(refusal('b'));
  assert.equal(written.at(-1)?.peer, 'b', 'b was forgotten, so it is written again');
  assert.equal(written.length, 5);
});

test('a scan of many addresses keeps the memory bounded', () => {
  let written = 0;
  const log = new RefusalLog(1000, () => void written++);
  for (let i = 0; i < 50_000; i++) log.report(refusal(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`));
  assert.equal(written, 50_000);
  assert.equal((log as unknown as { seen: Map<string, true> }).seen.size, 1000);
});

test('the SAN rule: the first URI, DNS or email entry in the certificate\'s order', () => {
  assert.equal(firstSan('IP Address:10.0.0.1, URI:spiffe://example.org/ops, DNS:ops.example.org'), 'spiffe://example.org/ops');
  assert.equal(firstSan('DNS:ops.example.org, email:ops@example.org'), 'ops.example.org');
  assert.equal(firstSan('email:ops@example.org'), 'ops@example.org');
  assert.equal(firstSan('URI:"spiffe://x/a, b"'), 'spiffe://x/a, b');
  assert.equal(firstSan('IP Address:10.0.0.1'), null);
  assert.equal(firstSan(undefined), null);
});

test('a settings line is checked field by field, and the message never shows a value', () => {
  const good = { listen: { host: '::', port: 0 }, cert: 'C', key: 'SECRET', ca: 'A', crl: null, identity: 'san', socket: '/run/gw.sock', stall_timeout: 30, tokens: [{ id: '0123456789abcdef', name: 'ci', role: 'read', salt: 'c2FsdA==', hash: 'SECRET', expires_at_ms: null }], link_key: Buffer.alloc(32, 7).toString('base64') };
  assert.deepEqual(parseSettings(JSON.stringify(good)), { ok: true, settings: good });
  const bad: [unknown, string][] = [
    [{ ...good, listen: { host: '::', port: 70000 } }, 'listen'],
    [{ ...good, key: '' }, 'key'],
    [{ ...good, crl: 5 }, 'crl'],
    [{ ...good, identity: 'uid' }, 'identity'],
    [{ ...good, socket: undefined }, 'socket'],
    [{ ...good, stall_timeout: -1 }, 'stall_timeout'],
    [{ ...good, stall_timeout: '30s' }, 'stall_timeout'],
    [{ ...good, tokens: undefined }, 'tokens'],
    [{ ...good, tokens: [{ ...good.tokens[0], role: 'admin' }] }, 'tokens'],
    [{ ...good, link_key: Buffer.alloc(16).toString('base64') }, 'link_key'],
    [[1], 'listen'],
  ];
  for (const [value, field] of bad) {
    const r = parseSettings(JSON.stringify(value));
    assert.equal(r.ok, false, JSON.stringify(value));
    if (!r.ok) {
      assert.match(r.message, new RegExp(field));
      assert.doesNotMatch(r.message, /SECRET/);
    }
  }
  assert.equal(parseSettings('{').ok, false);
  assert.equal(parseSettings('null').ok, false);
});

test("a plain route's refusal: 401, a Bearer challenge and the reason", () => {
  const sent: { status?: number; headers?: Record<string, string>; body?: string } = {};
  const res = {
    writeHead(status: number, headers: Record<string, string>) {
      sent.status = status;
      sent.headers = headers;
      return this;
    },
    end(body: string) {
      sent.body = body;
      return this;
    },
  } as unknown as PlainResponse;
  unauthenticated(res, { ok: false, code: 'NO_CREDENTIALS', why: 'no client certificate and no bearer token' });
  assert.deepEqual(sent, {
    status: 401,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer realm="taskmaster"' },
    body: 'no client certificate and no bearer token\n',
  });
});
