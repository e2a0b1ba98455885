// Metrics end to end: the real daemon and its gateway, GET /metrics over
// mutual TLS checked by promtool, taskmasterctl metrics, the refusals, a real
// Prometheus scraping the daemon with a client certificate, and the alert
// rules of packaging/prometheus/alerts.yml (the file the README shows).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KeyPair } from '../fixtures/certs';
import { ROOT, waitFor } from './harness';
import { program } from './lifecycle-helpers';
import { type RemoteDaemon, startRemoteDaemon } from './remote-helpers';

const PROMETHEUS = '/usr/bin/prometheus';
const PROMTOOL = '/usr/bin/promtool';
const ALERTS = join(ROOT, 'packaging/prometheus/alerts.yml');

function need(binary: string): void {
  if (!existsSync(binary)) throw new Error(`${binary} is missing: run make test-deps (it installs prometheus and promtool)`);
}

type Fetched = { status: number; contentType: string; body: string } | { error: string };

/** GET /metrics from the gateway as `who` (no certificate when null). */
function fetchMetrics(r: RemoteDaemon, who: KeyPair | null): Promise<Fetched> {
  return new Promise((resolve) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: r.port(),
        path: '/metrics',
        ca: readFileSync(r.certs.ca),
        ...(who === null ? {} : { cert: readFileSync(who.cert), key: readFileSync(who.key) }),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), body }));
      },
    );
    req.on('error', (err) => resolve({ error: err.message }));
    req.end();
  });
}

async function metricsText(r: RemoteDaemon, who: KeyPair): Promise<string> {
  const got = await fetchMetrics(r, who);
  if ('error' in got || got.status !== 200) throw new Error(`GET /metrics: ${JSON.stringify(got)}`);
  return got.body;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** A PromQL query's samples on Prometheus's HTTP API, as label set → value. */
function query(port: number, promql: string): Promise<{ metric: Record<string, string>; value: number }[]> {
  return new Promise((resolve, reject) => {
    httpGet({ host: '127.0.0.1', port, path: `/api/v1/query?query=${encodeURIComponent(promql)}` }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => {
        try {
          const answer = JSON.parse(body) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
          if (answer.status !== 'success') throw new Error(body);
          resolve(answer.data.result.map((s) => ({ metric: s.metric, value: Number(s.value[1]) })));
        } catch (err) {
          reject(err as Error);
        }
      });
    }).on('error', reject);
  });
}

/** The one sample of `promql`, or null while there is none. */
async function single(port: number, promql: string): Promise<number | null> {
  const samples = await query(port, promql);
  if (samples.length > 1) throw new Error(`${promql}: ${samples.length} samples`);
  return samples[0]?.value ?? null;
}

describe('metrics: /metrics, taskmasterctl metrics, Prometheus', { timeout: 240_000 }, () => {
  let r: RemoteDaemon;
  let promDir: string;
  let prometheus: ChildProcess | null = null;
  let promExited: Promise<unknown> = Promise.resolve();
  let promLog = '';
  let promPort = 0;

  before(async () => {
    need(PROMETHEUS);
    need(PROMTOOL);
    r = await startRemoteDaemon(program('x', { cmd: 'sleep 1000' }) + program('idle', { cmd: 'sleep 1000', autostart: false }));
    await waitFor(async () => (await r.d.status()).find((p) => p.name === 'x')?.state === 'RUNNING', 'x RUNNING');
    promDir = mkdtempSync(join(tmpdir(), 'tm-prometheus-'));
  });
  after(async () => {
    if (prometheus !== null && prometheus.exitCode === null && prometheus.signalCode === null) prometheus.kill('SIGTERM');
    await promExited;
    if (promDir !== undefined) rmSync(promDir, { recursive: true, force: true });
    await r?.d.stop();
  });

  it('GET /metrics over mutual TLS passes promtool check metrics, with no lint warning, and shows each process', async () => {
    const got = await fetchMetrics(r, r.certs.dev);
    assert.ok(!('error' in got), JSON.stringify(got));
    assert.equal(got.status, 200, got.body);
    assert.match(got.contentType, /^text\/plain; version=0\.0\.4/);
    const check = spawnSync(PROMTOOL, ['check', 'metrics'], { input: got.body, encoding: 'utf8' });
    assert.deepEqual([check.status, check.stdout + check.stderr], [0, ''], got.body);
    assert.match(got.body, /^taskmaster_process_up\{program="x",process="x"\} 1$/m);
    assert.match(got.body, /^taskmaster_process_up\{program="idle",process="idle"\} 0$/m);
    assert.match(got.body, /^taskmaster_process_state\{program="idle",process="idle",state="STOPPED"\} 1$/m);
    assert.match(got.body, /^taskmaster_process_start_time_seconds\{program="x",process="x"\} \d+(\.\d+)?$/m);
    assert.doesNotMatch(got.body, /^taskmaster_process_start_time_seconds\{program="idle"/m, 'no child, no start time');
    assert.match(got.body, /^process_cpu_seconds_total \S+$/m, "the daemon's own");
  });

  it('jobs show per owner: a finished one is counted by how it ended', async () => {
    const run = await r.python(r.certs.dev, 'run', '/bin/sh', '-c', 'exit 3');
    assert.equal(run.code, 0, run.stderr);
    await waitFor(async () => /^taskmaster_jobs_finished_total\{owner="dev",state="EXITED"\} 1$/m.test(await metricsText(r, r.certs.dev)), 'the job counted');
  });

  it('taskmasterctl metrics prints the same families, on the local socket and with -H', async () => {
    const families = (text: string) => [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]).sort();
    const local = r.d.ctl('metrics');
    assert.equal(local.code, 0, local.stderr);
    const remote = await r.ctl(r.certs.dev, 'metrics');
    assert.equal(remote.code, 0, remote.stderr);
    assert.match(local.stdout, /^taskmaster_process_up\{program="x",process="x"\} 1$/m);
    assert.deepEqual(families(remote.stdout), families(local.stdout));
    assert.deepEqual(families(local.stdout), families(await metricsText(r, r.certs.dev)));
  });

  it('refused: an identity the config does not name is 403; no certificate is refused (at the handshake, or 401)', async () => {
    const stranger = await fetchMetrics(r, r.certs.stranger);
    assert.ok(!('error' in stranger), JSON.stringify(stranger));
    assert.equal(stranger.status, 403, stranger.body);
    const anonymous = await fetchMetrics(r, null);
    // The listener asks for a certificate at the handshake today; with bearer
    // tokens it may let the request in, and the route answers 401.
    if ('error' in anonymous) assert.match(anonymous.error, /certificate required|alert|socket hang up|ECONNRESET/i);
    else assert.equal(anonymous.status, 401, anonymous.body);
  });

  it('a real Prometheus scrapes it with a client certificate: up, taskmaster_process_up, a restart as a new start time', async () => {
    promPort = await freePort();
    const config = join(promDir, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}',
        `rule_files: [${JSON.stringify(ALERTS)}]`,
        'scrape_configs:',
        '  - job_name: taskmaster',
        '    scheme: https',
        '    tls_config:',
        `      ca_file: ${JSON.stringify(r.certs.ca)}`,
        `      cert_file: ${JSON.stringify(r.certs.dev.cert)}`,
        `      key_file: ${JSON.stringify(r.certs.dev.key)}`,
        '    static_configs:',
        `      - targets: ["127.0.0.1:${r.port()}"]`,
        '',
      ].join('\n'),
    );
    const proc = spawn(PROMETHEUS, [`--config.file=${config}`, `--storage.tsdb.path=${join(promDir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    prometheus = proc;
    promExited = new Promise((resolve) => proc.once('exit', resolve));
    proc.stderr?.on('data', (c: Buffer) => (promLog += c.toString()));
    const scraped = (promql: string, want: number) => async () => {
      if (proc.exitCode !== null) throw new Error(`prometheus exited ${proc.exitCode}: ${promLog.slice(-2000)}`);
      return (await single(promPort, promql)) === want;
    };
    await waitFor(scraped('up{job="taskmaster"}', 1), 'Prometheus to scrape the gateway', 60_000);
    await waitFor(scraped('taskmaster_process_up{process="x"}', 1), 'x up in Prometheus', 30_000);
    const firstStart = await single(promPort, 'taskmaster_process_start_time_seconds{process="x"}');
    assert.ok(firstStart !== null && firstStart > 0);
    for (let i = 0; i < 2; i++) {
      const restart = r.d.ctl('restart', 'x');
      assert.equal(restart.code, 0, restart.stderr);
    }
    await waitFor(async () => ((await single(promPort, 'taskmaster_process_start_time_seconds{process="x"}')) ?? 0) > firstStart, 'a later start time', 30_000);
    await waitFor(scraped('taskmaster_process_up{process="x"}', 1), 'x up again', 30_000);
  });

  it('Prometheus counts the two restarts: taskmaster_process_restarts_total reaches 2', async () => {
    assert.ok(promPort !== 0, 'needs the Prometheus of the test before');
    await waitFor(async () => (await single(promPort, 'taskmaster_process_restarts_total{process="x"}')) === 2, 'restarts_total 2', 15_000);
  });

  it("the daemon's bundle leaves prom-client to the metrics bundle, loaded at the first scrape", () => {
    const daemon = readFileSync(join(ROOT, 'dist/taskmasterd.js'), 'utf8');
    const metrics = readFileSync(join(ROOT, 'dist/taskmasterd-metrics.js'), 'utf8');
    assert.ok(metrics.includes('collectDefaultMetrics'));
    assert.ok(!daemon.includes('collectDefaultMetrics'), 'prom-client is in dist/taskmasterd.js');
    assert.ok(daemon.includes('"taskmasterd-metrics.js"'), 'the daemon loads the metrics bundle by name');
  });

  it('the alert rules: promtool checks them, they fire as the README says, and the README shows the file as it is', () => {
    const check = spawnSync(PROMTOOL, ['check', 'rules', ALERTS], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /SUCCESS: 2 rules found/);
    const tests = join(promDir, 'alerts-test.yml');
    writeFileSync(tests, alertTests());
    const run = spawnSync(PROMTOOL, ['test', 'rules', tests], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    assert.ok(readme.includes(readFileSync(ALERTS, 'utf8')), 'README.md shows packaging/prometheus/alerts.yml verbatim');
  });
});

/**
 * promtool's rule tests: cron turns FATAL at 1m (alert after 1m more); web
 * restarts once a minute (10 in 10 minutes, over 5), db never.
 */
function alertTests(): string {
  const cron = 'instance="h", job="taskmaster", program="cron", process="cron"';
  const cronYaml = 'instance: h, job: taskmaster, program: cron, process: cron';
  return `rule_files: [${JSON.stringify(ALERTS)}]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'taskmaster_process_state{${cron}, state="FATAL"}'
        values: '0 1 1 1 1'
      - series: 'taskmaster_process_restarts_total{instance="h", job="taskmaster", program="web", process="web"}'
        values: '0+1x20'
      - series: 'taskmaster_process_restarts_total{instance="h", job="taskmaster", program="db", process="db"}'
        values: '0+0x20'
    alert_rule_test:
      - eval_time: 1m
        alertname: TaskmasterProcessFatal
        exp_alerts: []
      - eval_time: 3m
        alertname: TaskmasterProcessFatal
        exp_alerts:
          - exp_labels: {severity: critical, state: FATAL, ${cronYaml}}
            exp_annotations:
              summary: "cron is FATAL on h"
              description: "taskmasterd gave up starting it; \`taskmasterctl status cron\` says why."
      - eval_time: 15m
        alertname: TaskmasterProcessFlapping
        exp_alerts:
          - exp_labels: {severity: warning, instance: h, job: taskmaster, program: web, process: web}
            exp_annotations:
              summary: "web restarted 10 times in 10 minutes on h"
`;
}
