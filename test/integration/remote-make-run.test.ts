// What the README's "Remote control" promises for `make run`: the daemon on
// etc/taskmaster.yaml, with the certificates `make run` makes (packaging/
// certs.sh dev run/certs), answers a second process's `taskmasterctl -H`
// as its local socket does. The checkout's layout is copied into a temp dir
// (etc/ and run/, paths relative to the config as in the checkout) so that
// the test neither touches the checkout's run/ nor needs port 7443 free:
// the one change to the file is listen on port 0, read back from the log.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type CtlResult, ROOT, TASKMASTERCTL, TASKMASTERD, waitFor } from './harness';

const LISTEN = 'listen: "127.0.0.1:7443"';

/** The environment of a user's shell, without credentials or a host for taskmasterctl. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TASKMASTER_') && k !== 'XDG_CONFIG_HOME'));
  return { ...env, ...extra };
}

function ctl(args: string[], env: NodeJS.ProcessEnv = cleanEnv()): Promise<CtlResult> {
  return new Promise((done) => {
    const p = spawn(TASKMASTERCTL, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    p.once('close', (code, signal) => done({ code: code ?? (signal === null ? -1 : 128), stdout, stderr }));
  });
}

describe("make run's config serves the remote API to a second process", { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tm-makerun-'));
  const config = join(dir, 'etc/taskmaster.yaml');
  const certs = join(dir, 'run/certs');
  let daemon: ReturnType<typeof spawn>;
  let log = '';
  let port = 0;
  const remote = (who: 'ops' | 'dev'): string[] => ['-H', `127.0.0.1:${port}`, '--cert', join(certs, `${who}.crt`), '--key', join(certs, `${who}.key`), '--ca', join(certs, 'ca.crt')];

  before(async () => {
    // As root the gateway runs as the config's remote.user (nobody), who must
    // reach run/gateway.sock: searchable like a checkout under /work or /home.
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'etc'));
    const text = readFileSync(join(ROOT, 'etc/taskmaster.yaml'), 'utf8');
    assert.equal(text.split(LISTEN).length, 2, `etc/taskmaster.yaml should have one "${LISTEN}" (README "Remote control")`);
    writeFileSync(config, text.replace(LISTEN, 'listen: "127.0.0.1:0"'));
    // The Makefile's run/certs/ca.crt rule.
    execFileSync(join(ROOT, 'packaging/certs.sh'), ['dev', certs], { stdio: ['ignore', 'ignore', 'pipe'] });

    daemon = spawn(TASKMASTERD, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'], env: cleanEnv() });
    daemon.stderr!.on('data', (c: Buffer) => (log += c.toString()));
    port = await waitFor(() => {
      if (daemon.exitCode !== null) throw new Error(`taskmasterd exited ${daemon.exitCode}: ${log}`);
      return Number(/INFO +remote API listening on 127\.0\.0\.1:(\d+)/.exec(log)?.[1] ?? 0);
    }, 'the daemon log to say "remote API listening on 127.0.0.1:PORT"');
  });

  after(async () => {
    if (daemon !== undefined && daemon.exitCode === null && daemon.signalCode === null) {
      const exited = new Promise((r) => daemon.once('exit', r));
      daemon.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('taskmasterctl -H … status prints what the local taskmasterctl status prints', async () => {
    // Once every program is up, the two agree on everything but the uptime,
    // which ticks between the two calls (by seconds, on a loaded machine).
    await waitFor(async () => {
      const local = await ctl(['-c', config, 'status']);
      return local.code === 0 && local.stdout.split('\n').filter((l) => /\bRUNNING\b/.test(l)).length === 3;
    }, 'ticker, sleeper:0 and sleeper:1 RUNNING');
    let last = '';
    await waitFor(async () => {
      const [local, far] = [await ctl(['-c', config, 'status']), await ctl([...remote('ops'), 'status'])];
      last = `local (exit ${local.code}):\n${local.stdout}${local.stderr}remote (exit ${far.code}):\n${far.stdout}${far.stderr}`;
      return far.code === local.code && withoutUptime(far.stdout) === withoutUptime(local.stdout) && far.stderr === '';
    }, 'the same status both ways', 20_000).catch((err: Error) => assert.fail(`${err.message}\n${last}\ndaemon log:\n${log}`));
  });

  it('run -f -- /bin/echo hi prints hi and exits 0', async () => {
    const r = await ctl([...remote('ops'), 'run', '-f', '--', '/bin/echo', 'hi']);
    assert.deepEqual(r, { code: 0, stdout: 'hi\n', stderr: '' }, log);
  });

  it('dev, through the TASKMASTER_* variables, may read and run jobs but not control programs', async () => {
    const env = cleanEnv({
      TASKMASTER_HOST: `127.0.0.1:${port}`,
      TASKMASTER_CERT: join(certs, 'dev.crt'),
      TASKMASTER_KEY: join(certs, 'dev.key'),
      TASKMASTER_CA: join(certs, 'ca.crt'),
    });
    const status = await ctl(['status', 'ticker'], env);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^ticker +RUNNING/);
    const job = await ctl(['run', '-f', '--', '/bin/sh', '-c', 'echo out; exit 3'], env);
    assert.deepEqual([job.code, job.stdout], [3, 'out\n'], job.stderr);
    const stop = await ctl(['stop', 'ticker'], env);
    assert.equal(stop.code, 1, `${stop.stdout}${stop.stderr}`);
    assert.match(stop.stderr, /dev may not stop/);
  });

  it("README's HTTP API: token create prints the secret once, curl with it gets the status, a read token cannot stop", async () => {
    const made = await ctl(['-c', config, 'token', 'create', 'ci', '--role', 'read', '--expires', '30d']);
    assert.equal(made.code, 0, made.stderr);
    const secret = /^ {2}(tm_\S+)$/m.exec(made.stdout)?.[1];
    assert.ok(secret !== undefined, made.stdout);
    const curl = (method: string, body: string): string =>
      execFileSync('curl', ['-sS', '--cacert', join(certs, 'ca.crt'), '-H', `Authorization: Bearer ${secret}`, '-H', 'Content-Type: application/json', '-d', body, '-w', '\n%{http_code}', `https://127.0.0.1:${port}/taskmaster.v1.ControlService/${method}`], { encoding: 'utf8' });
    const [status, code] = curl('Status', '{}').split('\n');
    assert.equal(code, '200', status);
    const ticker = (JSON.parse(status!) as { processes: { name: string; state: string }[] }).processes.find((p) => p.name === 'ticker');
    assert.equal(ticker?.state, 'PROCESS_STATE_RUNNING');
    const [stop, stopCode] = curl('Stop', '{"names":["ticker"]}').split('\n');
    assert.equal(stopCode, '403', stop);
    assert.equal((JSON.parse(stop!) as { code: string }).code, 'permission_denied');
    const list = await ctl(['-c', config, 'token', 'list']);
    assert.match(list.stdout, /^ci +read +\S+ +\S+$/m);
    assert.ok(!list.stdout.includes(secret.slice(20)) && !log.includes(secret.slice(20)), 'the secret shown once');
  });
});

/** status's lines with each "uptime H:MM:SS" made alike. */
function withoutUptime(status: string): string {
  return status.replace(/uptime (\d+ days?, )?\d+:\d\d:\d\d/g, 'uptime …');
}
