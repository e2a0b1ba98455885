// Signed log links (protocol/log-link.ts): what a link grants, and that any
// change to it, its expiry passing, or another key voids it. Time is given,
// never read.
import assert from 'node:assert/strict';
import { timingSafeEqual } from 'node:crypto';
import { test } from 'node:test';
import { parseExpiry } from '../../src/cli/commands/http';
import { downloadName } from '../../src/gateway/log-download';
import { checkLink, DEFAULT_LINK_SECONDS, expiryOf, linkOrigin, type LogLink, signLink } from '../../src/protocol/log-link';

const KEY = Buffer.alloc(32, 1);
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const LINK: LogLink = { name: 'web:web_00', stream: 'stdout', as: 'ops', exp: NOW / 1000 + 300 };

/** The link's URL with one query parameter set to `value`. */
function withParam(url: string, key: string, value: string): string {
  const [path, query] = url.split('?') as [string, string];
  const q = new URLSearchParams(query);
  q.set(key, value);
  return `${path}?${q.toString()}`;
}

test('a link checks out as itself until its expiry, and not from that second on', () => {
  const url = signLink(KEY, LINK);
  assert.match(url, /^\/logs\/web%3Aweb_00\/stdout\?as=ops&exp=\d+&sig=[\w-]{43}$/);
  assert.deepEqual(checkLink(KEY, 'GET', url, NOW), { ok: true, link: LINK });
  assert.deepEqual(checkLink(KEY, 'GET', url, LINK.exp * 1000 - 1), { ok: true, link: LINK });
  assert.deepEqual(checkLink(KEY, 'GET', url, LINK.exp * 1000), { ok: false, why: 'expired' });
});

test('a link with its process, stream, identity, expiry, signature or method changed is refused', () => {
  const url = signLink(KEY, LINK);
  const other = signLink(KEY, { ...LINK, name: 'db' });
  const changed: [string, string][] = [
    ['stream', url.replace('/stdout?', '/stderr?')],
    ['process', url.replace('web%3Aweb_00', 'db')],
    ['process of another valid link', `${url.split('?')[0]}?${other.split('?')[1]}`],
    ['identity', withParam(url, 'as', 'boss')],
    ['expiry (later)', withParam(url, 'exp', String(LINK.exp + 3600))],
    ['signature', withParam(url, 'sig', `A${new URLSearchParams(url.split('?')[1]).get('sig')!.slice(1)}`)],
    ['signature (shorter)', withParam(url, 'sig', 'AAAA')],
  ];
  for (const [what, changedUrl] of changed) {
    assert.notEqual(changedUrl, url, what);
    const r = checkLink(KEY, 'GET', changedUrl, NOW);
    assert.equal(r.ok, false, what);
  }
  assert.deepEqual(checkLink(KEY, 'POST', url, NOW), { ok: false, why: 'bad-signature' });
  assert.deepEqual(checkLink(Buffer.alloc(32, 2), 'GET', url, NOW), { ok: false, why: 'bad-signature' }, 'another key: a restarted daemon');
});

test('anything that is not a link is malformed, not checked', () => {
  for (const url of ['/logs/web', '/logs/web/stdin?as=a&exp=1&sig=x', '/logs/a/b/stdout?as=a&exp=1&sig=x', '/logs/web/stdout?exp=1&sig=x', '/logs/web/stdout?as=a&exp=-1&sig=x', '/logs/%E0%A4%A/stdout?as=a&exp=1&sig=x', '/metrics']) {
    assert.deepEqual(checkLink(KEY, 'GET', url, NOW), { ok: false, why: 'malformed' }, url);
  }
});

test('the signature is compared in constant time (the comparison given), with equal-length buffers even for a short sig', () => {
  const url = signLink(KEY, LINK);
  const calls: [number, number][] = [];
  const spy = (a: Uint8Array, b: Uint8Array): boolean => {
    calls.push([a.length, b.length]);
    return timingSafeEqual(a, b);
  };
  assert.equal(checkLink(KEY, 'GET', url, NOW, spy).ok, true);
  assert.equal(checkLink(KEY, 'GET', withParam(url, 'sig', 'AAAA'), NOW, spy).ok, false);
  assert.deepEqual(calls, [[32, 32], [32, 32]]);
});

test('expiry: the default is five minutes, rounded up to the second', () => {
  assert.equal(expiryOf(NOW, 0), NOW / 1000 + DEFAULT_LINK_SECONDS);
  assert.equal(expiryOf(NOW + 1, 60), NOW / 1000 + 61);
});

test('the origin: public_url as given; else listen, with the hostname for a wildcard address', () => {
  assert.equal(linkOrigin('https://logs.example.org/', { host: '0.0.0.0', port: 7443 }, 'box'), 'https://logs.example.org');
  assert.equal(linkOrigin(null, { host: '127.0.0.1', port: 7443 }, 'box'), 'https://127.0.0.1:7443');
  assert.equal(linkOrigin(null, { host: '0.0.0.0', port: 7443 }, 'box'), 'https://box:7443');
  assert.equal(linkOrigin(null, { host: '::', port: 7443 }, 'box'), 'https://box:7443');
  assert.equal(linkOrigin(null, { host: '::1', port: 7443 }, 'box'), 'https://[::1]:7443');
});

test('http --expires takes 1s to 1h; the download is named safely', () => {
  assert.deepEqual(['90', '90s', '5m', '1h', '1'].map(parseExpiry), [90, 90, 300, 3600, 1]);
  assert.deepEqual(['0', '2h', '61m', '5 m', '-1', 'soon', ''].map(parseExpiry), [null, null, null, null, null, null, null]);
  assert.equal(downloadName('web:web_00', 'stderr'), 'web_web_00.stderr.log');
  assert.equal(downloadName('a"b\r\n/..', 'stdout'), 'a_b___...stdout.log');
});
