// Bearer tokens' parts: the secret and its hash, the daemon's store and its
// file, who a gateway request's `as` names, and the gateway's TokenGate with
// a fake clock.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TokenGate } from '../../src/gateway/token-gate';
import { TaskmasterError } from '../../src/protocol/errors';
import { remoteIdentityOf } from '../../src/tokens/token-identity';
import { hashSecret, idOfSecret, looksLikeSecret, newSecret, secretMatches, type TokenVerifier } from '../../src/tokens/token-secret';
import { TokenStore } from '../../src/tokens/token-store';

const dir = mkdtempSync(join(tmpdir(), 'tm-tokens-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshFile = (): string => join(dir, `tokens-${++files}.json`);

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return (err as TaskmasterError).code;
  }
  return undefined;
};
const asyncCodeOf = (p: Promise<unknown>): Promise<string | undefined> => p.then(() => undefined, (err: unknown) => (err as TaskmasterError).code);

describe('secrets', () => {
  it('tm_<16 hex id>_<43 base64url>, the id read back; two are never alike', () => {
    const a = newSecret();
    const b = newSecret();
    assert.match(a.secret, /^tm_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    assert.equal(idOfSecret(a.secret), a.id);
    assert.notEqual(a.secret, b.secret);
    assert.notEqual(a.id, b.id);
    assert.equal(idOfSecret('hunter2'), null);
    assert.equal(idOfSecret(`${a.secret}x`), null);
    assert.ok(looksLikeSecret(`x=1&t=${a.secret}`));
    assert.ok(!looksLikeSecret('sig=abc&exp=123'));
  });

  it('the hash matches its secret and no other', async () => {
    const { secret } = newSecret();
    const v = await hashSecret(secret);
    assert.ok(await secretMatches(secret, v));
    assert.ok(!(await secretMatches(newSecret().secret, v)));
    assert.ok(!(await secretMatches(secret, { ...v, salt: (await hashSecret(secret)).salt })), 'a salt of its own per token');
  });
});

describe('TokenStore', () => {
  it('create: a 0600 file with the hash, never the secret; read back by a new store (a restart)', async () => {
    const path = freshFile();
    const store = TokenStore.open(path);
    let changes = 0;
    store.onChange(() => changes++);
    const { token, secret } = await store.create('ci', 'control', 3600, 1_000_000);
    assert.deepEqual([token.name, token.role, token.created_at_ms, token.expires_at_ms], ['ci', 'control', 1_000_000, 1_000_000 + 3_600_000]);
    assert.equal(changes, 1);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const text = readFileSync(path, 'utf8');
    assert.ok(!text.includes(secret.slice(20)), 'no secret in the file');
    assert.ok(await secretMatches(secret, TokenStore.open(path).find('ci')!));
    assert.deepEqual(TokenStore.open(path).list(), store.list());
    assert.deepEqual(Object.keys(store.verifiers()[0]!).sort(), ['expires_at_ms', 'hash', 'id', 'name', 'role', 'salt']);
  });

  it('a name in use is refused (EALREADY) until revoked or expired; revoke of an unknown name is ENOTOKEN', async () => {
    const store = TokenStore.open(freshFile());
    await store.create('ci', 'read', 10, 0);
    assert.equal(await asyncCodeOf(store.create('ci', 'read', 0, 5_000)), 'EALREADY');
    const again = await store.create('ci', 'control', 0, 10_000); // the first expired at 10 s
    assert.deepEqual(store.list().map((t) => [t.name, t.role, t.expires_at_ms]), [['ci', 'control', null]]);
    assert.equal(store.revoke('ci').id, again.token.id);
    assert.deepEqual(store.list(), []);
    assert.equal(codeOf(() => store.revoke('ci')), 'ENOTOKEN');
  });

  it('names follow the identity rule', async () => {
    const store = TokenStore.open(freshFile());
    for (const bad of ['', '../x', 'a b', '-x', 'token:x', 'x'.repeat(81)]) assert.equal(await asyncCodeOf(store.create(bad, 'read', 0, 0)), 'EBADREQUEST', bad);
    for (const good of ['ci', 'ops@example.org', 'deploy-bot_2.0']) await store.create(good, 'read', 0, 0);
  });

  it('a damaged file stops the open (ETOKENSTORE); a write that fails changes nothing', async () => {
    const path = freshFile();
    for (const text of ['{', '{"version":2,"tokens":[]}', '{"version":1,"tokens":[{"name":"x"}]}']) {
      writeFileSync(path, text);
      assert.equal(codeOf(() => TokenStore.open(path)), 'ETOKENSTORE', text);
    }
    const store = TokenStore.open(join(dir, 'no-such-dir', 'tokens.json'));
    assert.equal(await asyncCodeOf(store.create('ci', 'read', 0, 0)), 'ETOKENSTORE');
    assert.deepEqual(store.list(), []);
  });
});

describe('remoteIdentityOf', () => {
  const users = { ops: { programs: 'control' as const, jobs: true, run_as: null, admin: true } };

  it('a certificate name is looked up in remote.users; token:NAME in the store, with the role as its right', async () => {
    const store = TokenStore.open(freshFile());
    await store.create('ops', 'read', 60, 0);
    assert.deepEqual(remoteIdentityOf('ops', users, store, 0), { name: 'ops', programs: 'control', jobs: { runAs: null }, admin: true });
    assert.deepEqual(remoteIdentityOf('token:ops', users, store, 0), { name: 'ops', programs: 'read', jobs: { runAs: null }, admin: false });
    assert.equal(remoteIdentityOf('stranger', users, store, 0), null);
  });

  it('a token revoked or expired is EUNAUTHENTICATED, whatever the gateway believed', async () => {
    const store = TokenStore.open(freshFile());
    await store.create('ci', 'control', 60, 0);
    assert.equal((remoteIdentityOf('token:ci', users, store, 60_000) as { code: string }).code, 'EUNAUTHENTICATED');
    store.revoke('ci');
    assert.equal((remoteIdentityOf('token:ci', users, store, 0) as { code: string }).code, 'EUNAUTHENTICATED');
    assert.equal((remoteIdentityOf('token:ci', users, null, 0) as { code: string }).code, 'EUNAUTHENTICATED');
  });
});

describe('TokenGate', () => {
  async function verifierFor(name: string, expires: number | null = null): Promise<{ v: TokenVerifier; secret: string }> {
    const { id, secret } = newSecret();
    return { v: { id, name, role: 'read', ...(await hashSecret(secret)), expires_at_ms: expires }, secret };
  }

  it('checks a secret, remembers it, and forgets it at once when the token goes', async () => {
    let now = 0;
    const gate = new TokenGate(() => now, 60_000, 10);
    const ci = await verifierFor('ci');
    gate.update([ci.v]);
    assert.deepEqual(await gate.check(ci.secret), { ok: true, name: 'ci' });
    // Remembered: a salt that no longer hashes the secret goes unnoticed until the memory ends.
    gate.update([{ ...ci.v, salt: Buffer.from('another salt').toString('base64') }]);
    assert.deepEqual(await gate.check(ci.secret), { ok: true, name: 'ci' });
    now = 60_001;
    assert.equal((await gate.check(ci.secret)).ok, false, 'checked anew after rememberMs');
    gate.update([ci.v]);
    assert.deepEqual(await gate.check(ci.secret), { ok: true, name: 'ci' });
    gate.update([]); // revoked
    assert.deepEqual(await gate.check(ci.secret), { ok: false, code: 'TOKEN_UNKNOWN', why: 'the bearer token is unknown or revoked' });
  });

  it('refuses an expired token though remembered, a wrong secret and a malformed one', async () => {
    let now = 0;
    const gate = new TokenGate(() => now, 60_000, 10);
    const soon = await verifierFor('soon', 1_000);
    gate.update([soon.v]);
    assert.equal((await gate.check(soon.secret)).ok, true);
    now = 1_000;
    assert.equal(((await gate.check(soon.secret)) as { code: string }).code, 'TOKEN_EXPIRED');
    const ci = await verifierFor('ci');
    gate.update([ci.v]);
    const wrong = `${ci.secret.slice(0, 20)}${newSecret().secret.slice(20)}`;
    assert.equal(((await gate.check(wrong)) as { code: string }).code, 'TOKEN_WRONG');
    assert.equal(((await gate.check('Bearer')) as { code: string }).code, 'TOKEN_MALFORMED');
  });
});

it('the file is 0600 under umask 000', async () => {
  const saved = process.umask(0);
  try {
    const path = freshFile();
    await TokenStore.open(path).create('ci', 'read', 0, 0);
    assert.equal(statSync(path).mode & 0o777, 0o600);
  } finally {
    process.umask(saved);
  }
});
