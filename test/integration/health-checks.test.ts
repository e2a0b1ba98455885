// `healthcheck:` with the real daemon and real probes: an HTTP server whose
// answer the test sets through a file (test/fixtures/health-server.js).
// Intervals are short; every wait is on a condition, never on time.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Daemon, type ProcessStatus, readText, ROOT, waitFor } from './harness';
import type { HealthEvent } from '../../src/events/event';
import { eventsIn, follow } from './event-follower';
import { idOf, program, spawnCount, waitLog, waitState, withDaemonIn } from './lifecycle-helpers';

const SERVER_CMD = `${process.execPath} ${join(ROOT, 'test/fixtures/health-server.js')}`;

/** A port that was free a moment ago: the OS gave it out, then it was closed. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The health server as program `web`, its answer in `dir/status`. */
function webServer(dir: string, port: number, healthcheck: Record<string, string | number>): string {
  return program('web', {
    cmd: SERVER_CMD,
    env: { HEALTH_PORT: String(port), HEALTH_STATUS_FILE: join(dir, 'status') },
    healthcheck: { interval: 0.2, timeout: 5, ...healthcheck },
  });
}

async function waitHealth(d: Daemon, state: string, extra: (s: ProcessStatus) => boolean = () => true): Promise<ProcessStatus> {
  const found = await waitFor(async () => {
    const s = (await d.status()).find((p) => p.name === 'web');
    return s !== undefined && s.state === 'RUNNING' && s.health?.state === state && extra(s) ? s : null;
  }, `web to be RUNNING and ${state}`);
  return found!;
}

/** The daemon's log lines that say web's probe failed without it counting (start_period). */
const uncounted = (d: Daemon): number => d.output().split('\n').filter((l) => l.includes('web: health check failed (not counted: start_period): HTTP 503')).length;

test('healthcheck http, action restart: after `retries` failures in a row the process is restarted (new pid), the reason in the log', async () => {
  const port = await freePort();
  // start_period: a restarted server slow to listen under load is not restarted again for it.
  await withDaemonIn((dir) => webServer(dir, port, { http: `http://127.0.0.1:${port}/health`, retries: 2, start_period: 30 }), async (d, dir) => {
    const first = await waitHealth(d, 'healthy');
    writeFileSync(join(dir, 'status'), '503');
    const second = await waitState(d, 'web', 'RUNNING', (s) => s.pid !== first.pid);
    await waitLog(d, 'web: RUNNING → STOPPING (health check failed 2 times: HTTP 503)');
    await waitLog(d, 'web: unhealthy, health check failed 2 times: HTTP 503; restarting');
    writeFileSync(join(dir, 'status'), '200');
    const healthy = await waitHealth(d, 'healthy', (s) => s.pid === second.pid);
    assert.equal(healthy.restarts, 1);
  });
});

test('healthcheck action mark: unhealthy with the reason and the same pid, in status and --json; recovering makes it healthy again', async () => {
  const port = await freePort();
  await withDaemonIn((dir) => webServer(dir, port, { http: `http://127.0.0.1:${port}/`, retries: 2, start_period: 30, action: 'mark' }), async (d, dir) => {
    const first = await waitHealth(d, 'healthy');
    writeFileSync(join(dir, 'status'), '503');
    const sick = await waitHealth(d, 'unhealthy');
    assert.equal(sick.pid, first.pid);
    assert.equal(sick.health?.last_failure, 'HTTP 503');
    const table = await d.ctlAsync('status', 'web');
    assert.match(table.stdout, /^web\s+RUNNING\s+pid \d+, uptime [\d:]+, unhealthy \(HTTP 503\)$/m);
    const json = JSON.parse((await d.ctlAsync('--json', 'status', 'web')).stdout) as ProcessStatus[];
    assert.deepEqual([json[0]?.health?.state, json[0]?.health?.last_failure], ['unhealthy', 'HTTP 503']);
    writeFileSync(join(dir, 'status'), '200');
    const well = await waitHealth(d, 'healthy');
    assert.equal(well.pid, first.pid);
    assert.equal(well.health?.last_failure, 'HTTP 503', 'the last failure is kept after the recovery');
    await waitLog(d, 'web: healthy again (last failure: HTTP 503)');
    assert.equal(spawnCount(d, 'web'), 1);
  });
});

test('each change of health is a health event of taskmasterctl events --json', async () => {
  const port = await freePort();
  await withDaemonIn((dir) => webServer(dir, port, { http: `http://127.0.0.1:${port}/`, retries: 1, action: 'mark' }), async (d, dir) => {
    const first = await waitHealth(d, 'healthy');
    const f = follow(d, 'events', '--json');
    try {
      // The follower is subscribed once it saw a reload (the stream keeps nothing from before).
      await waitFor(async () => {
        if (eventsIn(f.stdout()).some((e) => e.type === 'reload')) return true;
        assert.equal((await d.ctlAsync('reload')).code, 0);
        return false;
      }, 'a reload in the stream');
      const healthOf = () => eventsIn(f.stdout()).filter((e): e is HealthEvent => e.type === 'health');
      writeFileSync(join(dir, 'status'), '503');
      const sick = await waitFor(() => healthOf()[0] ?? null, 'an unhealthy event of web');
      assert.deepEqual({ ...sick, time: 'T' }, { type: 'health', time: 'T', program: 'web', process: 'web', pid: first.pid, health: 'unhealthy', failure: 'HTTP 503' });
      writeFileSync(join(dir, 'status'), '200');
      const well = await waitFor(() => healthOf()[1] ?? null, 'a healthy event of web');
      assert.deepEqual([well.health, well.failure, well.pid], ['healthy', 'HTTP 503', first.pid]);
    } finally {
      f.proc.kill('SIGKILL');
    }
  });
});

test('start_period: failures before the first pass do not count (health starting, same pid); after a pass they do', async () => {
  const port = await freePort();
  await withDaemonIn(
    (dir) => {
      writeFileSync(join(dir, 'status'), '503');
      return webServer(dir, port, { http: `http://127.0.0.1:${port}/`, retries: 1, start_period: 3600 });
    },
    async (d, dir) => {
      // Three probes answered 503 within start_period: with retries 1, any one counted would have restarted it.
      await waitFor(() => uncounted(d) >= 3, 'three uncounted failures in the daemon log');
      const s = await waitHealth(d, 'starting');
      assert.equal(s.health?.last_failure, 'HTTP 503');
      assert.equal(spawnCount(d, 'web'), 1);
      writeFileSync(join(dir, 'status'), '200');
      const healthy = await waitHealth(d, 'healthy');
      writeFileSync(join(dir, 'status'), '503');
      await waitState(d, 'web', 'RUNNING', (p) => p.pid !== healthy.pid);
      await waitLog(d, 'web: RUNNING → STOPPING (health check failed 1 time: HTTP 503)');
    },
  );
});

test('healthcheck tcp: a listening port is healthy', async () => {
  const port = await freePort();
  await withDaemonIn((dir) => webServer(dir, port, { tcp: port, start_period: 30 }), async (d) => {
    const s = await waitHealth(d, 'healthy');
    assert.equal(s.health?.last_failure ?? null, null);
  });
});

test('healthcheck exec: runs as the program\'s user, in its workingdir, with its environment', async () => {
  assert.equal(process.getuid?.(), 0, 'the user: part needs root (CI runs the suite as root)');
  await withDaemonIn(
    (dir) =>
      program('web', {
        user: 'nobody',
        workingdir: dir,
        env: { HC_MARK: 'marked' },
        healthcheck: { exec: 'echo "$(id -u) $(pwd) $HC_MARK" > probe.out', interval: 0.2 },
      }),
    async (d, dir) => {
      await waitHealth(d, 'healthy');
      assert.equal(readText(join(dir, 'probe.out')).trim(), `${idOf('nobody').uid} ${dir} marked`);
    },
  );
});
