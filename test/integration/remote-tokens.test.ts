// Bearer tokens end to end: the real daemon and gateway, tokens made with
// taskmasterctl on the local socket, and curl (a client that shares no code
// with us) calling the Connect/JSON API with them. Every refusal is checked
// for its status, and the secrets for never reaching a log or the file.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KeyPair } from '../fixtures/certs';
import { ROOT, runCtl, waitFor } from './harness';
import { program } from './lifecycle-helpers';
import { type RemoteDaemon, startRemoteDaemon } from './remote-helpers';

interface Answer {
  status: number;
  body: Record<string, unknown>;
  /** curl's own exit code: non-zero when the connection itself failed. */
  exit: number;
}

const CONTROL = '/taskmaster.v1.ControlService';

describe('bearer tokens over the remote API', { timeout: 240_000 }, () => {
  const tokensDir = mkdtempSync(join(tmpdir(), 'tm-tokens-'));
  const tokensFile = join(tokensDir, 'tokens.json');
  const secrets: Record<string, string> = {};
  let r: RemoteDaemon;
  const start = () => startRemoteDaemon(program('web', { cmd: 'sleep 1000' }), '', [`tokens_file: ${tokensFile}`]);

  before(async () => {
    r = await start();
  });
  after(async () => {
    await r?.d.stop();
    rmSync(tokensDir, { recursive: true, force: true });
  });

  /** curl, the real client: POST `body` as JSON to the gateway. */
  function curl(path: string, o: { token?: string; cert?: KeyPair; body?: string; header?: string } = {}): Promise<Answer> {
    const args = ['-sS', '--cacert', r.certs.ca, '-o', '-', '-w', '\n%{http_code}', '-H', 'Content-Type: application/json', '-d', o.body ?? '{}'];
    if (o.token !== undefined) args.push('-H', `Authorization: Bearer ${o.token}`);
    if (o.header !== undefined) args.push('-H', o.header);
    if (o.cert !== undefined) args.push('--cert', o.cert.cert, '--key', o.cert.key);
    args.push(`https://127.0.0.1:${r.port()}${path}`);
    return new Promise((done) => {
      const p = spawn('curl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (c: Buffer) => (out += c.toString()));
      p.once('close', (code) => {
        const cut = out.lastIndexOf('\n');
        const text = out.slice(0, Math.max(cut, 0));
        let body: Record<string, unknown> = {};
        try {
          body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
        } catch {
          body = { text };
        }
        done({ status: Number(out.slice(cut + 1)), body, exit: code ?? -1 });
      });
    });
  }

  function create(name: string, ...flags: string[]): string {
    const made = r.d.ctl('--json', 'token', 'create', name, ...flags);
    assert.equal(made.code, 0, made.stderr);
    const secret = (JSON.parse(made.stdout) as { secret: string }).secret;
    assert.match(secret, /^tm_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    secrets[name] = secret;
    return secret;
  }

  const names = (a: Answer): string[] => ((a.body.processes ?? []) as { name: string }[]).map((p) => p.name);
  const refusalCodes = (): string[] =>
    r.d
      .output()
      .split('\n')
      .filter((l) => l.includes('gateway: refused'))
      .map((l) => /refused: \S+: (\S+)/.exec(l)?.[1] ?? '');

  it('curl with a read token gets the status; the read token cannot stop, a control token can', async () => {
    const viewer = create('viewer');
    const status = await curl(`${CONTROL}/Status`, { token: viewer });
    assert.equal(status.status, 200, JSON.stringify(status));
    assert.deepEqual(names(status), ['web']);

    const denied = await curl(`${CONTROL}/Stop`, { token: viewer, body: '{"names":["web"]}' });
    assert.equal(denied.status, 403, JSON.stringify(denied));
    assert.equal(denied.body.code, 'permission_denied');
    assert.match(String(denied.body.message), /viewer may not stop/);

    const deployer = create('deployer', '--role', 'control');
    const stopped = await curl(`${CONTROL}/Stop`, { token: deployer, body: '{"names":["web"]}' });
    assert.equal(stopped.status, 200, JSON.stringify(stopped));
    assert.equal((await r.d.status()).find((p) => p.name === 'web')?.state, 'STOPPED');
    assert.equal((await curl(`${CONTROL}/Start`, { token: deployer, body: '{"names":["web"]}' })).status, 200);
  });

  it('a token named as a certificate identity has its role, never that identity\'s program rights', async () => {
    // remote.users gives ops control; its read token may only look.
    const ops = create('ops', '--role', 'read');
    assert.equal((await curl(`${CONTROL}/Status`, { token: ops })).status, 200);
    const denied = await curl(`${CONTROL}/Stop`, { token: ops, body: '{"names":["web"]}' });
    assert.equal(denied.status, 403, JSON.stringify(denied));
    // The certificate ops still controls.
    assert.equal((await curl(`${CONTROL}/Status`, { cert: r.certs.ops })).status, 200);
  });

  it('refused with 401: a wrong, malformed or missing token, a token in the URL, and a bad certificate even with a good token', async () => {
    const viewer = secrets.viewer!;
    const wrong = viewer.slice(0, -4) + (viewer.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const cases: [string, Promise<Answer>][] = [
      ['a wrong secret for a known token', curl(`${CONTROL}/Status`, { token: wrong })],
      ['not a taskmaster token', curl(`${CONTROL}/Status`, { token: 'hunter2' })],
      ['no token and no certificate', curl(`${CONTROL}/Status`)],
      ['Basic, not Bearer', curl(`${CONTROL}/Status`, { header: 'Authorization: Basic dXNlcjpwYXNz' })],
      ['the token in the query string', curl(`${CONTROL}/Status?access_token=${viewer}`)],
      ['the token in the query string beside a good header', curl(`${CONTROL}/Status?t=${viewer}`, { token: viewer })],
      ['Health without credentials', curl('/grpc.health.v1.Health/Check')],
    ];
    for (const [what, answer] of cases) {
      const a = await answer;
      assert.equal(a.status, 401, `${what}: ${JSON.stringify(a)}`);
      assert.equal(a.body.code, 'unauthenticated', what);
    }
    // A client certificate from another CA, with a good token: the connection is refused.
    const badCert = await curl(`${CONTROL}/Status`, { token: viewer, cert: r.certs.wrongCa });
    assert.notEqual(badCert.exit, 0, `another CA's certificate: ${JSON.stringify(badCert)}`);
    assert.notEqual(badCert.status, 200);
    // Each (peer, reason) once.
    const want = ['TOKEN_WRONG', 'TOKEN_MALFORMED', 'NO_CREDENTIALS', 'BAD_AUTHORIZATION', 'TOKEN_IN_URL', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'];
    await waitFor(() => want.every((c) => refusalCodes().includes(c)), `refusals logged: ${want.join(', ')}`);
    for (const c of want) assert.equal(refusalCodes().filter((x) => x === c).length, 1, `${c} logged once: ${refusalCodes().join(' ')}`);
  });

  it('a revoked token is refused at once, though the gateway had it checked a moment before', async () => {
    const brief = create('brief', '--role', 'control');
    assert.equal((await curl(`${CONTROL}/Status`, { token: brief })).status, 200);
    assert.equal((await curl(`${CONTROL}/Status`, { token: brief })).status, 200); // from the gateway's memory now
    const revoked = r.d.ctl('token', 'revoke', 'brief');
    assert.equal(revoked.code, 0, revoked.stderr);
    const after = await curl(`${CONTROL}/Status`, { token: brief });
    assert.equal(after.status, 401, JSON.stringify(after));
    assert.match(String(after.body.message), /revoked/);
    const again = r.d.ctl('token', 'revoke', 'brief');
    assert.deepEqual([again.code, again.stderr.trim()], [4, 'error: no token named "brief"']);
  });

  it('an expired token is refused', async () => {
    const soon = create('soon', '--expires', '2s');
    // Made and checked within its 2 s, or it expired first on a slow machine (then only the refusal is checked).
    const first = await curl(`${CONTROL}/Status`, { token: soon });
    assert.ok(first.status === 200 || first.status === 401, JSON.stringify(first));
    const refused = await waitFor(async () => {
      const a = await curl(`${CONTROL}/Status`, { token: soon });
      return a.status === 401 ? a : null;
    }, 'the token to expire');
    assert.match(String(refused?.body.message), /expired/);
    const listed = JSON.parse(r.d.ctl('--json', 'token', 'list').stdout) as { name: string; expired: boolean }[];
    assert.equal(listed.find((t) => t.name === 'soon')?.expired, true);
  });

  it('a name in use is refused; names are checked', () => {
    const twice = r.d.ctl('token', 'create', 'viewer');
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /a token named viewer exists; revoke it first/);
    const bad = r.d.ctl('token', 'create', '../etc');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /a token name is/);
  });

  it('token list shows names, roles and times, never a secret; an admin may list remotely, others may not', async () => {
    const list = r.d.ctl('--json', 'token', 'list');
    assert.equal(list.code, 0, list.stderr);
    const tokens = JSON.parse(list.stdout) as Record<string, unknown>[];
    assert.deepEqual(tokens.map((t) => [t.name, t.role]).sort(), [['deployer', 'control'], ['ops', 'read'], ['soon', 'read'], ['viewer', 'read']]);
    assert.deepEqual(Object.keys(tokens[0]!).sort(), ['created_at', 'expired', 'expires_at', 'name', 'role']);
    assert.match(r.d.ctl('token', 'list').stdout, /^NAME +ROLE +CREATED +EXPIRES\n/);
    const remote = await r.ctl(r.certs.boss, '--json', 'token', 'list');
    assert.equal(remote.stdout, list.stdout, remote.stderr);
    const denied = await r.ctl(r.certs.ops, 'token', 'list');
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /may not listTokens: it needs the admin right/);
    // A token never has the admin right.
    const byToken = await curl('/taskmaster.v1.TokenService/ListTokens', { token: secrets.deployer! });
    assert.equal(byToken.status, 403, JSON.stringify(byToken));
  });

  it('Python gRPC signs in with a token as call metadata', async () => {
    const file = join(tokensDir, 'viewer.token');
    writeFileSync(file, `${secrets.viewer}\n`, { mode: 0o600 });
    const py = await new Promise<{ code: number; out: string }>((done) => {
      const p = spawn('/usr/bin/python3', [join(ROOT, 'test/fixtures/grpc_client.py'), '--target', `127.0.0.1:${r.port()}`, '--ca', r.certs.ca, '--token-file', file, 'status']);
      let out = '';
      p.stdout.on('data', (c: Buffer) => (out += c.toString()));
      p.stderr.on('data', (c: Buffer) => (out += c.toString()));
      p.once('close', (code) => done({ code: code ?? -1, out }));
    });
    assert.equal(py.code, 0, py.out);
    assert.deepEqual((JSON.parse(py.out.trim()) as { processes: { name: string }[] }).processes.map((p) => p.name), ['web']);
  });

  it('taskmasterctl -H with --token-file: the same status as locally; the role holds; a revoked token is refused', async () => {
    const file = join(tokensDir, 'cli.token');
    writeFileSync(file, `${create('cli')}\n`, { mode: 0o600 });
    const remote = (...args: string[]) => runCtl(['-H', `127.0.0.1:${r.port()}`, '--ca', r.certs.ca, '--token-file', file, ...args]);
    const status = await remote('--json', 'status');
    assert.equal(status.code, 0, status.stderr);
    assert.deepEqual((JSON.parse(status.stdout) as { name: string }[]).map((p) => p.name), ['web']);
    const stop = await remote('stop', 'web');
    assert.deepEqual([stop.code, stop.stderr.trim()], [1, 'error: identity cli may not stop: it needs the control right']);
    assert.equal(r.d.ctl('token', 'revoke', 'cli').code, 0);
    const refused = await remote('status');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /unknown or revoked/);
  });

  it('no secret in the daemon log, the gateway log or the tokens file (0600); tokens survive a restart', async () => {
    const log = r.d.output();
    assert.match(log, /token viewer created/);
    const file = readFileSync(tokensFile, 'utf8');
    assert.equal(statSync(tokensFile).mode & 0o777, 0o600);
    for (const [name, secret] of Object.entries(secrets)) {
      // The random part alone (after tm_<id>_): the id is public.
      const random = secret.slice(20);
      assert.ok(!log.includes(random), `${name}'s secret in the daemon (or gateway) log`);
      assert.ok(!file.includes(random), `${name}'s secret in the tokens file`);
    }
    await r.d.stop();
    r = await start();
    const status = await curl(`${CONTROL}/Status`, { token: secrets.viewer! });
    assert.equal(status.status, 200, JSON.stringify(status));
    const revoked = await curl(`${CONTROL}/Status`, { token: secrets.brief! }); // revoked before the restart
    assert.equal(revoked.status, 401);
  });
});
