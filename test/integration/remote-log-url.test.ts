// Log links end to end: `taskmasterctl http` on the real daemon, the download
// by curl through the real gateway, and every way a link stops working.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { KeyPair } from '../fixtures/certs';
import { CHILD_CMD, runCtl, startDaemon, TASKMASTERD, waitFor } from './harness';
import { type RemoteDaemon, startRemoteDaemon } from './remote-helpers';

const BIG_BYTES = 20 * 1024 * 1024;
const logs = mkdtempSync(join(tmpdir(), 'tm-logurl-'));
const file = (name: string): string => join(logs, name);

const PROGRAMS = [
  '  web:',
  `    cmd: ${CHILD_CMD}`,
  '    env: {CHILD_STDOUT: "web says hello", CHILD_STDERR: "web complains"}',
  `    stdout: ${file('web.out')}`,
  `    stderr: ${file('web.err')}`,
  '  other:',
  `    cmd: ${CHILD_CMD}`,
  '    env: {CHILD_STDOUT: "other business"}',
  '  quiet:',
  `    cmd: ${CHILD_CMD}`,
  '    stdout: none',
  '  merged:',
  `    cmd: ${CHILD_CMD}`,
  '    redirect_stderr: true',
  '  big:',
  `    cmd: ${JSON.stringify(`/bin/sh -c "yes 'a line of log, long enough to fill twenty megabytes soon 0123456789' | head -c ${BIG_BYTES}; exec sleep 3600"`)}`,
  '    autostart: false',
  '    starttime: 0',
  '    stdout_maxbytes: 0',
  `    stdout: ${file('big.out')}`,
  '',
].join('\n');

let r: RemoteDaemon;
before(async () => {
  r = await startRemoteDaemon(PROGRAMS);
  await waitFor(() => readText(file('web.out')).includes('hello') && readText(file('web.err')).includes('complains'), 'web to write its logs');
});
after(async () => {
  await r?.d.stop();
  rmSync(logs, { recursive: true, force: true });
});

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

interface Download {
  status: number;
  body: Buffer;
  headers: string;
}

/** curl, a real client. `as`: the client certificate it shows (the handshake wants one on this base); null: none. */
function curl(url: string, as: KeyPair | null): Promise<Download> {
  const dir = mkdtempSync(join(tmpdir(), 'tm-curl-'));
  const [body, headers] = [join(dir, 'body'), join(dir, 'headers')];
  const cert = as === null ? [] : ['--cert', as.cert, '--key', as.key];
  const args = ['-sS', '--max-time', '60', '--cacert', r.certs.ca, ...cert, '-o', body, '-D', headers, '-w', '%{http_code}', url];
  return new Promise((done, fail) =>
    execFile('curl', args, { maxBuffer: 1024 * 1024 }, (err, stdout, stderr) => {
      try {
        if (err !== null && as !== null) return fail(new Error(`curl failed: ${stderr}`));
        done({ status: Number(stdout), body: readFileSyncOr(body), headers: readText(headers) });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }),
  );
}

function readFileSyncOr(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    return Buffer.alloc(0);
  }
}

/** `taskmasterctl http ARGS` on the local socket: the URL it prints. */
function linkOf(...args: string[]): string {
  const out = r.d.ctl('http', ...args);
  assert.equal(out.code, 0, out.stderr);
  return out.stdout.trim();
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

test('taskmasterctl http prints a link to the log; curl downloads exactly the file, as an attachment not to cache', async () => {
  const url = linkOf('web');
  assert.match(url, new RegExp(`^https://127\\.0\\.0\\.1:${r.port()}/logs/web/stdout\\?as=local&exp=\\d+&sig=[\\w-]+$`));
  const got = await curl(url, r.certs.dev);
  assert.equal(got.status, 200, got.body.toString());
  assert.deepEqual(got.body, readFileSync(file('web.out')));
  assert.match(got.headers, /^content-type: text\/plain; charset=utf-8\r?$/im);
  assert.match(got.headers, /^content-disposition: attachment; filename="web\.stdout\.log"\r?$/im);
  assert.match(got.headers, /^cache-control: no-store\r?$/im);
  const err = await curl(linkOf('web', 'stderr'), r.certs.dev);
  assert.equal(err.status, 200);
  assert.deepEqual(err.body, readFileSync(file('web.err')));
});

test('a remote identity gets a link made for it, which downloads as it', async () => {
  const out = await r.ctl(r.certs.dev, 'http', 'web', 'stderr');
  assert.equal(out.code, 0, out.stderr);
  const url = out.stdout.trim();
  assert.match(url, /\/logs\/web\/stderr\?as=dev&/);
  const got = await curl(url, r.certs.ops);
  assert.equal(got.status, 200);
  assert.equal(got.body.toString(), 'web complains\n');
});

test('a link for one log opens no other: another stream, process, identity or expiry is 403, and says nothing of the key', async () => {
  const url = linkOf('web');
  const exp = new URL(url).searchParams.get('exp')!;
  const sig = new URL(url).searchParams.get('sig')!;
  const edited = [
    url.replace('/web/stdout?', '/web/stderr?'),
    url.replace('/web/stdout?', '/other/stdout?'),
    url.replace('as=local', 'as=ops'),
    url.replace(`exp=${exp}`, `exp=${Number(exp) + 3600}`),
    url.replace(`sig=${sig}`, `sig=${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`),
  ];
  for (const bad of edited) {
    assert.notEqual(bad, url);
    const got = await curl(bad, r.certs.dev);
    assert.equal(got.status, 403, bad);
    assert.doesNotMatch(got.body.toString(), /web says|other business|key|hmac|sha/i, bad);
  }
  assert.equal((await curl(url, r.certs.dev)).status, 200, 'the link itself still works');
});

test('a link expires: 403 once its time is up', async () => {
  const url = linkOf('--expires', '3s', 'web');
  const exp = Number(new URL(url).searchParams.get('exp'));
  assert.ok(exp * 1000 - Date.now() <= 3000 + 1000, 'valid for about 3 s, not more');
  assert.equal((await curl(url, r.certs.dev)).status, 200, 'valid at first');
  await waitFor(async () => (await curl(url, r.certs.dev)).status === 403, 'the link to expire', 15_000);
});

test('discarded and redirected logs, and names that are not one process, are refused as tail refuses them', () => {
  const quiet = r.d.ctl('http', 'quiet');
  assert.equal(quiet.code, 1);
  assert.match(quiet.stderr, /discarded/);
  const merged = r.d.ctl('http', 'merged', 'stderr');
  assert.equal(merged.code, 1);
  assert.match(merged.stderr, /redirect/);
  assert.equal(r.d.ctl('http', 'nosuch').code, 4);
  const long = r.d.ctl('http', '--expires', '2h', 'web');
  assert.equal(long.code, 1, 'links live at most an hour');
  assert.match(long.stderr, /--expires/);
});

test('a 20 MB log arrives whole', async () => {
  assert.equal(r.d.ctl('start', 'big').code, 0);
  await waitFor(() => statSafe(file('big.out')) >= BIG_BYTES, 'big to write 20 MB', 60_000);
  const got = await curl(linkOf('big'), r.certs.dev);
  assert.equal(got.status, 200);
  assert.equal(got.body.length, BIG_BYTES);
  assert.equal(sha256(got.body), sha256(readFileSync(file('big.out'))));
});

function statSafe(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

test('nothing of the links\' signatures reaches the daemon\'s log', async () => {
  const url = linkOf('web');
  assert.equal((await curl(url, r.certs.dev)).status, 200);
  await curl(url.replace('/stdout?', '/stderr?'), r.certs.dev);
  const sig = new URL(url).searchParams.get('sig')!;
  assert.equal(r.d.output().includes(sig), false);
  assert.doesNotMatch(r.d.output(), /link_key/);
});

test('without a remote API, http says what to configure', async () => {
  const d = await startDaemon(`  p:\n    cmd: ${CHILD_CMD}\n`);
  try {
    const out = d.ctl('http', 'p');
    assert.equal(out.code, 1);
    assert.match(out.stderr, /taskmasterd\.remote/);
  } finally {
    await d.stop();
  }
});

test('a link works without any client certificate or token: it is its own credential', async () => {
  const got = await curl(linkOf('web'), null);
  assert.equal(got.status, 200);
  assert.deepEqual(got.body, readFileSync(file('web.out')));
});

// Last: it restarts the daemon, on the same config, socket and log files.
test('after a daemon restart, links made before are refused (a new key) and new ones work', async () => {
  const old = linkOf('web');
  r.d.proc.kill('SIGTERM');
  await r.d.exited;
  const again = spawn(TASKMASTERD, ['-c', r.d.configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  again.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  try {
    const port = await waitFor(() => /INFO +remote API listening on 127\.0\.0\.1:(\d+)/.exec(stderr)?.[1], 'the new gateway to listen');
    const moved = old.replace(/:\d+\/logs\//, `:${port}/logs/`);
    const refused = await curl(moved, r.certs.dev);
    assert.equal(refused.status, 403);
    const fresh = await runCtl(['-s', r.d.socket, 'http', 'web']);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.equal((await curl(fresh.stdout.trim(), r.certs.dev)).status, 200);
  } finally {
    again.kill('SIGTERM');
    await new Promise((done) => (again.exitCode !== null ? done(null) : again.once('exit', done)));
  }
});
