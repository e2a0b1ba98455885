// taskmasterd.remote: each field's errors (file:line:col and the dotted
// field), the certificate files checked at load, the accounts checked
// against who the daemon runs as, and the users table as identities.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tokensFileOf } from '../../src/config/remote-fields';
import { identityOf, tokenIdentityOf } from '../../src/config/remote-users';
import { makeTestCerts } from '../fixtures/certs';
import { assertIssue, configOf, errorsOf, load, onlyError } from '../fixtures/config/temp-config';

const certs = makeTestCerts();

function requireRoot(): void {
  assert.equal(process.getuid?.(), 0, 'the remote.user and run_as checks apply to a daemon running as root; run the suite as root (CI does)');
}

/** A config whose remote block holds the given lines (from line 7, indented under remote:; one line later per daemon line). */
function remote(lines: string[], files: Partial<Record<'cert' | 'key' | 'client_ca', string>> = {}, daemonLines: string[] = []): string {
  return [
    'taskmasterd:',
    ...daemonLines.map((l) => `  ${l}`),
    '  remote:',
    `    cert: ${files.cert ?? certs.server.cert}`,
    `    key: ${files.key ?? certs.server.key}`,
    `    client_ca: ${files.client_ca ?? certs.ca}`,
    '    user: nobody',
    ...lines.map((l) => `    ${l}`),
    '',
  ].join('\n');
}

/** 1-based column of `token` in the remote block's line `line`. */
const colOf = (line: string, token: string): number => 4 + line.indexOf(token) + 1;

test('a minimal remote block: its defaults, and the key kept out of JSON', () => {
  const daemon = configOf(load(remote([])).result).daemon;
  const r = daemon.remote!;
  assert.deepEqual(
    { listen: r.listen, identity: r.identity, socket: r.socket, users: r.users, crl: r.crl, user: r.user, stall_timeout: r.stall_timeout },
    { listen: { host: '0.0.0.0', port: 7443 }, identity: 'cn', socket: null, users: {}, crl: null, user: 'nobody', stall_timeout: 30 },
  );
  assert.match(r.tls.key.pem, /PRIVATE KEY/);
  assert.doesNotMatch(JSON.stringify(daemon), /PRIVATE KEY/);
});

test('stall_timeout is a duration', () => {
  assert.equal(configOf(load(remote(['stall_timeout: 2s'])).result).daemon.remote!.stall_timeout, 2);
  assert.equal(configOf(load(remote(['stall_timeout: 1m30s'])).result).daemon.remote!.stall_timeout, 90);
  const bad = onlyError(load(remote(['stall_timeout: soon'])).result);
  assert.deepEqual([bad.key, bad.line], ['taskmasterd.remote.stall_timeout', 7]);
});

test('no remote block: no remote API', () => {
  assert.equal(configOf(load('taskmasterd: {}\n').result).daemon.remote, null);
  assert.equal(configOf(load('taskmasterd:\n  remote: ~\n').result).daemon.remote, null);
});

test('listen forms', () => {
  const cases: [string, { host: string; port: number }][] = [
    ['"127.0.0.1:9443"', { host: '127.0.0.1', port: 9443 }],
    ['"[::1]:9443"', { host: '::1', port: 9443 }],
    ['"[::]"', { host: '::', port: 7443 }],
    ['localhost', { host: 'localhost', port: 7443 }],
    ['":0"', { host: '0.0.0.0', port: 0 }],
    ['8443', { host: '0.0.0.0', port: 8443 }],
  ];
  for (const [value, want] of cases) assert.deepEqual(configOf(load(remote([`listen: ${value}`])).result).daemon.remote!.listen, want, value);
});

test('each invalid remote field is one error at its line and column, naming the dotted field', () => {
  const cases: [string, string, string, string][] = [
    ['listen: "host:99999"', '"host', 'taskmasterd.remote.listen', 'expected "host:port", "[ipv6]:port" or a host (port 7443)'],
    ['listen: "a b:1"', '"a', 'taskmasterd.remote.listen', 'got "a b:1"'],
    ['identity: email', 'email', 'taskmasterd.remote.identity', 'expected one of cn, san, got "email"'],
    ['crl: 5', '5', 'taskmasterd.remote.crl', 'expected a path or null, got 5'],
    ['socket: [a]', '[a]', 'taskmasterd.remote.socket', 'expected a path or null, got a list'],
    ['users: [ops]', '[ops]', 'taskmasterd.remote.users', 'expected a map of identity names'],
    ['users: {ops: control}', 'control', 'taskmasterd.remote.users.ops', 'expected a map with keys programs, jobs, run_as, admin, got "control"'],
    ['users: {ops: {programs: all}}', 'all', 'taskmasterd.remote.users.ops.programs', 'expected one of control, read, none, got "all"'],
    ['users: {ops: {jobs: yes}}', 'yes', 'taskmasterd.remote.users.ops.jobs', 'expected true or false, got "yes"'],
    ['users: {ops: {admin: 1}}', '1', 'taskmasterd.remote.users.ops.admin', 'expected true or false, got 1'],
    ['users: {ops: {right: x}}', 'right', 'taskmasterd.remote.users.ops.right', 'unknown key "right"'],
    ['listne: x', 'listne', 'taskmasterd.remote.listne', 'unknown key "listne"; did you mean "listen"?'],
  ];
  for (const [line, token, key, message] of cases) {
    const { file, result } = load(remote([line]));
    assertIssue(onlyError(result), { file, line: 7, col: colOf(line, token), program: null, key, message });
  }
});

test('cert, key and client_ca are required, each named where remote: is', () => {
  const { file, result } = load('taskmasterd:\n  remote:\n    user: nobody\n');
  const errors = errorsOf(result);
  assert.deepEqual(errors.map((e) => [e.line, e.col, e.key]), [
    [2, 3, 'taskmasterd.remote.cert'],
    [2, 3, 'taskmasterd.remote.key'],
    [2, 3, 'taskmasterd.remote.client_ca'],
  ]);
  assertIssue(errors[0]!, { file, line: 2, col: 3, program: null, key: 'taskmasterd.remote.cert', message: 'missing required key "cert": expected the server certificate file (PEM)' });
});

test('certificate files: each problem names the file and what is wrong, never its contents', () => {
  const dir = certs.dir;
  const badCrl = join(dir, 'bad-crl.pem');
  writeFileSync(badCrl, '-----BEGIN X509 CRL-----\nbm90IGEgQ1JM\n-----END X509 CRL-----\n');
  const cases: [Parameters<typeof remote>[1], string[], number, string, string][] = [
    [{ key: certs.ops.key }, [], 4, 'taskmasterd.remote.key', `${certs.ops.key}: this private key does not belong to the certificate ${certs.server.cert}`],
    [{ cert: certs.expired.cert, key: certs.expired.key }, [], 3, 'taskmasterd.remote.cert', `${certs.expired.cert}: the certificate expired on`],
    [{ cert: certs.future.cert, key: certs.future.key }, [], 3, 'taskmasterd.remote.cert', `${certs.future.cert}: the certificate is not valid before`],
    [{ cert: join(dir, 'nope.crt') }, [], 3, 'taskmasterd.remote.cert', `${join(dir, 'nope.crt')}: cannot read the file: it does not exist`],
    [{ cert: certs.server.key }, [], 3, 'taskmasterd.remote.cert', `${certs.server.key}: not a PEM certificate`],
    [{ key: certs.server.cert }, [], 4, 'taskmasterd.remote.key', `${certs.server.cert}: not a PEM private key`],
    [{ client_ca: certs.ops.cert }, [], 5, 'taskmasterd.remote.client_ca', 'is not a CA certificate'],
    [{}, [`crl: ${badCrl}`], 7, 'taskmasterd.remote.crl', `${badCrl}: OpenSSL refuses this revocation list`],
    [{}, [`crl: ${certs.ca}`], 7, 'taskmasterd.remote.crl', `${certs.ca}: not a PEM certificate revocation list`],
  ];
  for (const [files, lines, line, key, message] of cases) {
    const { file, result } = load(remote(lines, files));
    const error = onlyError(result);
    assertIssue(error, { file, line, col: error.col, program: null, key, message });
    assert.doesNotMatch(error.message, /[A-Za-z0-9+/=]{40}/, 'no PEM body in a message');
  }
});

test('remote.user must exist when the daemon runs as root; the default names the useradd line', () => {
  requireRoot();
  const { file, result } = load(remote(['user: no-such-user-tm']).replace('    user: nobody\n', ''));
  assertIssue(onlyError(result), { file, line: 6, col: 11, program: null, key: 'taskmasterd.remote.user', message: 'the gateway runs as user "no-such-user-tm": no such user "no-such-user-tm"' });
  const dflt = load(remote([]).replace('    user: nobody\n', ''));
  const missing = errorsOf(dflt.result).find((e) => e.key === 'taskmasterd.remote.user');
  if (missing !== undefined) assert.match(missing.message, /useradd --system --no-create-home --home-dir \/nonexistent --shell \/usr\/sbin\/nologin taskmaster/);
  else assert.ok(configOf(dflt.result), 'a taskmaster account exists here: the default is accepted');
  const asRoot = load(remote(['user: root']).replace('    user: nobody\n', ''));
  assert.match(onlyError(asRoot.result).message, /must not run as root/);
});

test('run_as: only when the daemon stays root, and the account must exist', () => {
  requireRoot();
  const line = 'users: {ops: {jobs: true, run_as: nobody}}';
  const dropped = load(remote([line], {}, ['user: nobody']));
  assertIssue(onlyError(dropped.result), { file: dropped.file, line: 8, col: colOf(line, 'nobody'), program: null, key: 'taskmasterd.remote.users.ops.run_as', message: 'only a daemon running as root can run jobs as another user' });
  const unknown = 'users: {ops: {jobs: true, run_as: no-such-user-tm}}';
  const r = load(remote([unknown]));
  assertIssue(onlyError(r.result), { file: r.file, line: 7, col: colOf(unknown, 'no-such'), program: null, key: 'taskmasterd.remote.users.ops.run_as', message: 'no such user "no-such-user-tm"' });
});

test('identityOf: the rights of a named identity, null for any other', () => {
  const users = configOf(
    load(remote(['users:', '  ops: {programs: control, jobs: true, run_as: nobody, admin: true}', '  dev: {programs: read, jobs: true}', '  guest:'])).result,
  ).daemon.remote!.users;
  assert.deepEqual(identityOf(users, 'ops'), { name: 'ops', programs: 'control', jobs: { runAs: 'nobody' }, admin: true });
  assert.deepEqual(identityOf(users, 'dev'), { name: 'dev', programs: 'read', jobs: { runAs: null }, admin: false });
  assert.deepEqual(identityOf(users, 'guest'), { name: 'guest', programs: 'none', jobs: null, admin: false });
  assert.equal(identityOf(users, 'stranger'), null);
  assert.equal(identityOf(users, 'constructor'), null);
  assert.equal(identityOf(users, '__proto__'), null);
});

test('tokenIdentityOf: the role is the program right, jobs and run_as come from remote.users of the name, never admin', () => {
  const users = configOf(
    load(remote(['users:', '  ops: {programs: control, jobs: true, run_as: nobody, admin: true}', '  dev: {programs: read, jobs: true}', '  guest:'])).result,
  ).daemon.remote!.users;
  // ops's certificate controls and is admin; its read token only reads, keeps the jobs, and is no admin.
  assert.deepEqual(tokenIdentityOf(users, { name: 'ops', role: 'read' }), { name: 'ops', programs: 'read', jobs: { runAs: 'nobody' }, admin: false });
  // dev's certificate only reads; a control token made for dev controls (the admin who made it chose).
  assert.deepEqual(tokenIdentityOf(users, { name: 'dev', role: 'control' }), { name: 'dev', programs: 'control', jobs: { runAs: null }, admin: false });
  assert.deepEqual(tokenIdentityOf(users, { name: 'guest', role: 'read' }), { name: 'guest', programs: 'read', jobs: null, admin: false });
  assert.deepEqual(tokenIdentityOf(users, { name: 'ci', role: 'control' }), { name: 'ci', programs: 'control', jobs: null, admin: false });
  assert.deepEqual(tokenIdentityOf(users, { name: '__proto__', role: 'read' }), { name: '__proto__', programs: 'read', jobs: null, admin: false });
});

test('tokens_file: absolute or relative to the config file; by default tokens.json in childlogdir', () => {
  const daemon = configOf(load(remote([])).result).daemon;
  assert.equal(daemon.remote!.tokens_file, null);
  assert.equal(tokensFileOf(daemon.remote!, daemon.childlogdir), join(daemon.childlogdir, 'tokens.json'));
  const set = configOf(load(remote(['tokens_file: /var/lib/taskmaster/tokens.json'])).result).daemon;
  assert.equal(tokensFileOf(set.remote!, set.childlogdir), '/var/lib/taskmaster/tokens.json');
});

test('public_url is an https origin (for log links), null by default', () => {
  assert.equal(configOf(load(remote([])).result).daemon.remote!.public_url, null);
  assert.equal(configOf(load(remote(['public_url: https://tm.example.org:8443/'])).result).daemon.remote!.public_url, 'https://tm.example.org:8443');
  for (const value of ['http://tm.example.org', 'https://tm.example.org/logs', 'https://u:p@tm.example.org', 'https://tm.example.org/?a=1', 'tm.example.org']) {
    const bad = onlyError(load(remote([`public_url: ${value}`])).result);
    assert.deepEqual([bad.key, bad.line], ['taskmasterd.remote.public_url', 7], value);
  }
});
