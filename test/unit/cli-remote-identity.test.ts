// Where a remote taskmasterctl connects and as whom: flags before variables
// before ~/.config/taskmaster, and an error that says where it looked.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkValidity, configDir, parseHost, readCredentials, remoteTarget, type RemoteTarget } from '../../src/cli/remote/identity';
import { UsageError } from '../../src/cli/usage-error';

const HOME = () => '/home/ann';
/** A UsageError whose message matches: what the CLI prints as it is, exit 1. */
const usage = (re: RegExp) => (e: unknown) => e instanceof UsageError && re.test(e.message);

describe('parseHost', () => {
  it('takes HOST, HOST:PORT, [V6], [V6]:PORT and a bare IPv6 address', () => {
    assert.deepEqual(parseHost('example.org', '-H'), { host: 'example.org', port: 7443 });
    assert.deepEqual(parseHost('example.org:9000', '-H'), { host: 'example.org', port: 9000 });
    assert.deepEqual(parseHost('[::1]', '-H'), { host: '::1', port: 7443 });
    assert.deepEqual(parseHost('[::1]:8443', '-H'), { host: '::1', port: 8443 });
    assert.deepEqual(parseHost('fe80::1', '-H'), { host: 'fe80::1', port: 7443 });
  });

  it('refuses an empty host and a port out of range, naming where it came from', () => {
    assert.throws(() => parseHost(':7443', '-H'), (e: UsageError) => e instanceof UsageError && /^-H ":7443": no host/.test(e.message));
    assert.throws(() => parseHost('h:0', 'TASKMASTER_HOST'), usage(/^TASKMASTER_HOST "h:0": port "0" is not 1 to 65535/));
    assert.throws(() => parseHost('h:http', '-H'), usage(/port "http" is not 1 to 65535/));
    assert.throws(() => parseHost('h:65536', '-H'), usage(/port "65536"/));
  });
});

describe('remoteTarget', () => {
  it('is null without -H and TASKMASTER_HOST: the local socket', () => {
    assert.equal(remoteTarget({}, {}, HOME), null);
  });

  it('takes the files from ~/.config/taskmaster when nothing else names them', () => {
    assert.deepEqual(remoteTarget({ host: 'h' }, {}, HOME), {
      host: 'h',
      port: 7443,
      cert: { path: '/home/ann/.config/taskmaster/client.crt', from: 'the default' },
      key: { path: '/home/ann/.config/taskmaster/client.key', from: 'the default' },
      ca: { path: '/home/ann/.config/taskmaster/ca.crt', from: 'the default' },
      token: null,
    });
  });

  it('a token from --token-file, else TASKMASTER_TOKEN, instead of the certificate; with --cert or --key it is a usage error', () => {
    assert.deepEqual(remoteTarget({ host: 'h', tokenFile: '/t' }, { TASKMASTER_TOKEN: 'tm_env' }, HOME)!.token, { path: '/t', from: '--token-file' });
    assert.deepEqual(remoteTarget({ host: 'h' }, { TASKMASTER_TOKEN: 'tm_env' }, HOME)!.token, { value: 'tm_env', from: 'TASKMASTER_TOKEN' });
    assert.throws(() => remoteTarget({ host: 'h', tokenFile: '/t', cert: '/c' }, {}, HOME), usage(/^--cert and --token-file exclude each other/));
    assert.throws(() => remoteTarget({ host: 'h', key: '/k' }, { TASKMASTER_TOKEN: 'x' }, HOME), usage(/^--key and TASKMASTER_TOKEN exclude each other/));
    assert.throws(() => remoteTarget({ tokenFile: '/t' }, {}, HOME), usage(/^--token-file is for a remote taskmasterd/));
  });

  it('honours an absolute XDG_CONFIG_HOME and ignores a relative one', () => {
    assert.equal(configDir({ XDG_CONFIG_HOME: '/xdg' }, '/home/ann'), '/xdg/taskmaster');
    assert.equal(configDir({ XDG_CONFIG_HOME: 'rel' }, '/home/ann'), '/home/ann/.config/taskmaster');
    assert.equal(remoteTarget({ host: 'h' }, { XDG_CONFIG_HOME: '/xdg' }, HOME)!.ca.path, '/xdg/taskmaster/ca.crt');
  });

  it('flags win over variables, variables over the files, piece by piece', () => {
    const env = { TASKMASTER_HOST: 'envhost:1', TASKMASTER_CERT: '/env/c', TASKMASTER_KEY: '/env/k' };
    const t = remoteTarget({ host: 'flaghost:2', cert: '/flag/c' }, env, HOME)!;
    assert.deepEqual([t.host, t.port], ['flaghost', 2]);
    assert.deepEqual(t.cert, { path: '/flag/c', from: '--cert' });
    assert.deepEqual(t.key, { path: '/env/k', from: 'TASKMASTER_KEY' });
    assert.deepEqual(t.ca, { path: '/home/ann/.config/taskmaster/ca.crt', from: 'the default' });
    assert.deepEqual([remoteTarget({}, env, HOME)!.host, remoteTarget({}, env, HOME)!.port], ['envhost', 1]);
  });

  it('an explicit -s or -c wins over TASKMASTER_HOST; with -H it is a usage error', () => {
    assert.equal(remoteTarget({ socket: '/run/x.sock' }, { TASKMASTER_HOST: 'h' }, HOME), null);
    assert.equal(remoteTarget({ config: '/etc/x.yaml' }, { TASKMASTER_HOST: 'h' }, HOME), null);
    assert.throws(() => remoteTarget({ host: 'h', socket: '/s' }, {}, HOME), usage(/^-H and -s exclude each other/));
  });

  it('--cert without a host is a usage error, not silently ignored', () => {
    assert.throws(() => remoteTarget({ cert: '/c' }, {}, HOME), (e: UsageError) => e instanceof UsageError && /^--cert is for a remote taskmasterd/.test(e.message));
  });

  it('does not ask for the home directory when every file is named', () => {
    const t = remoteTarget({ host: 'h', cert: '/c', key: '/k', ca: '/a' }, {}, () => assert.fail('homedir asked for'));
    assert.deepEqual([t!.cert.path, t!.key.path, t!.ca.path], ['/c', '/k', '/a']);
  });
});

describe('readCredentials', () => {
  const target: RemoteTarget = {
    host: 'h',
    port: 7443,
    cert: { path: '/flag/c', from: '--cert' },
    key: { path: '/env/k', from: 'TASKMASTER_KEY' },
    ca: { path: '/home/ann/.config/taskmaster/ca.crt', from: 'the default' },
    token: null,
  };
  const enoent = (path: string) => Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });

  it('reads the three files', () => {
    const creds = readCredentials(target, (p) => Buffer.from(`content of ${p}`));
    assert.deepEqual(
      [creds.host, creds.port, String(creds.cert), String(creds.key), String(creds.ca)],
      ['h', 7443, 'content of /flag/c', 'content of /env/k', 'content of /home/ann/.config/taskmaster/ca.crt'],
    );
  });

  it('a named file that cannot be read: the path, who named it, and why', () => {
    assert.throws(
      () => readCredentials(target, (p) => (p === '/env/k' ? (() => { throw Object.assign(new Error('x'), { code: 'EACCES' }); })() : Buffer.from(''))),
      (e: UsageError) =>
        e instanceof UsageError && e.message === 'cannot read the client key for h:7443: /env/k (from TASKMASTER_KEY): permission denied (EACCES)',
    );
  });

  it('a missing default file says how else to give it', () => {
    assert.throws(
      () => readCredentials(target, (p) => (p.endsWith('ca.crt') ? (() => { throw enoent(p); })() : Buffer.from(''))),
      (e: UsageError) =>
        e.message ===
        'cannot read the CA certificate for h:7443: /home/ann/.config/taskmaster/ca.crt: no such file (ENOENT); give --ca FILE or set TASKMASTER_CA, or put it there',
    );
  });

  it('with a token: the CA and the token, trimmed, and no certificate or key read; a bad token file is named, its content never shown', () => {
    const withToken: RemoteTarget = { ...target, token: { path: '/t', from: '--token-file' } };
    const read = (p: string): Buffer => (p === '/t' ? Buffer.from('tm_0123456789abcdef_secret\n') : p.endsWith('ca.crt') ? Buffer.from('CA') : assert.fail(`read ${p}`));
    const creds = readCredentials(withToken, read);
    assert.deepEqual([creds.token, creds.cert, creds.key, String(creds.ca)], ['tm_0123456789abcdef_secret', null, null, 'CA']);
    assert.equal(readCredentials({ ...target, token: { value: ' tm_x ', from: 'TASKMASTER_TOKEN' } }, read).token, 'tm_x');
    assert.throws(
      () => readCredentials(withToken, (p) => (p === '/t' ? Buffer.from('two words hunter2') : Buffer.from('CA'))),
      (e: UsageError) => e instanceof UsageError && /^\/t \(from --token-file\): not a token/.test(e.message) && !e.message.includes('hunter2'),
    );
    assert.throws(() => readCredentials(withToken, (p) => (p === '/t' ? (() => { throw enoent(p); })() : Buffer.from('CA'))), usage(/^cannot read the token for h:7443: \/t \(from --token-file\): no such file/));
  });
});

describe('checkValidity', () => {
  const dates = { validFrom: 'Jan  1 00:00:00 2020 GMT', validTo: 'Jan  1 00:00:00 2021 GMT' };
  const from = { path: '/c.crt', from: '--cert' };

  it('passes a certificate within its dates', () => {
    assert.doesNotThrow(() => checkValidity(dates, from, Date.UTC(2020, 5, 1)));
  });

  it('an expired one, or one not valid yet: a usage error naming the file and the date', () => {
    assert.throws(() => checkValidity(dates, from, Date.UTC(2022, 0, 1)), usage(/^the client certificate \/c\.crt \(from --cert\) expired on Jan  1 00:00:00 2021 GMT$/));
    assert.throws(() => checkValidity(dates, { path: '/d.crt', from: 'the default' }, Date.UTC(2019, 0, 1)), usage(/^the client certificate \/d\.crt is not valid before Jan  1 00:00:00 2020 GMT$/));
  });
});
