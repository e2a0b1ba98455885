// Scale: a thousand programs come up and go down; fifty clients asking for
// status in a loop get every answer, and the daemon's memory does not grow
// with the number of requests served. The times, latencies and memory are
// reported, not asserted: they depend on the machine; the growth of
// memory per request is asserted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Daemon, waitFor } from './harness';
import { program, withDaemon } from './lifecycle-helpers';
import { anonKiB, processesMatching, reportFigures, rssKiB, statusClient, summarize } from './faults-runtime-helpers';

const tag = String(700_000 + Math.floor(Math.random() * 100_000));
const mine = new RegExp(`^sleep ${tag}$`);

function sleepers(count: number, starttime: number): string {
  return Array.from({ length: count }, (_, i) => program(`p${String(i).padStart(4, '0')}`, { cmd: `sleep ${tag}`, starttime })).join('');
}

async function allIn(d: Daemon, state: string, count: number): Promise<boolean> {
  const s = await d.status();
  return s.length === count && s.every((p) => p.state === state);
}

const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;

test('1,000 programs: all reach RUNNING, all stop', async (t) => {
  const COUNT = 1000;
  const t0 = performance.now();
  await withDaemon(sleepers(COUNT, 1), async (d) => {
    const started = performance.now();
    const rssIdle = rssKiB(d.proc.pid!);
    await waitFor(() => allIn(d, 'RUNNING', COUNT), `${COUNT} programs RUNNING`, 300_000);
    const running = performance.now();
    const rssRunning = rssKiB(d.proc.pid!);
    assert.equal(processesMatching(mine).length, COUNT, 'one process per program');

    const t1 = performance.now();
    const r = await d.request({ cmd: 'stop', names: ['all'] });
    const stopMs = performance.now() - t1;
    assert.equal(r.ok, true, JSON.stringify(r).slice(0, 500));
    assert.ok(await allIn(d, 'STOPPED', COUNT), 'all STOPPED once stop returns');
    await waitFor(() => processesMatching(mine).length === 0, 'every sleeper gone');

    const figures = {
      programs: COUNT,
      starttime_s: 1,
      daemon_up_ms: Math.round(started - t0),
      all_running_ms: Math.round(running - t0),
      stop_all_ms: Math.round(stopMs),
      rss_mib: { socket_up: mib(rssIdle), all_running: mib(rssRunning), after_stop: mib(rssKiB(d.proc.pid!)) },
    };
    t.diagnostic(JSON.stringify(figures));
    await reportFigures('programs_1000', figures);
  });
});

test('50 clients asking for status of 200 programs in a loop: every request served, no memory grown per request', async (t) => {
  const PROGRAMS = 200;
  const CLIENTS = 50;
  // Counted in requests, not seconds, so the leak check runs the same on
  // any machine: a warm-up to let the heap reach its working size, then as
  // many requests again. A status answer here is ~20 KB, so a leak of even
  // a tenth of one per request would pass the bound below in 30,000.
  const WARM_UP = 15_000;
  const TOTAL = 45_000;
  // Only a guard against a hung run; reaching it fails the test.
  const GIVE_UP_MS = 240_000;
  await withDaemon(sleepers(PROGRAMS, 0.2), async (d) => {
    await waitFor(() => allIn(d, 'RUNNING', PROGRAMS), `${PROGRAMS} programs RUNNING`, 120_000);
    const pid = d.proc.pid!;
    const anonBefore = anonKiB(pid);
    const ms: number[] = [];
    const t0 = performance.now();
    const elapsed = () => performance.now() - t0;
    const done = () => ms.length >= TOTAL || elapsed() >= GIVE_UP_MS;
    let anonWarm = 0;
    const warmedUp = waitFor(() => ms.length >= WARM_UP || done(), 'the warm-up requests', GIVE_UP_MS).then(() => (anonWarm = anonKiB(pid)));
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => statusClient(d.socket, done, ms)));
    await warmedUp;
    const wallMs = elapsed();
    const anonAfter = anonKiB(pid);
    const failures = clients.reduce((sum, c) => sum + c.failures, 0);

    assert.equal(failures, 0, 'no request failed');
    assert.ok(ms.length >= TOTAL, `only ${ms.length} of ${TOTAL} requests served in ${Math.round(wallMs / 1000)} s`);
    const latency = summarize(ms, failures);
    const figures = {
      programs: PROGRAMS,
      clients: CLIENTS,
      duration_ms: Math.round(wallMs),
      requests: ms.length,
      requests_per_s: Math.round(ms.length / (wallMs / 1000)),
      failures,
      p50_ms: latency.p50_ms,
      p99_ms: latency.p99_ms,
      max_ms: latency.max_ms,
      anon_mib: { before: mib(anonBefore), warmed_up: mib(anonWarm), after: mib(anonAfter) },
      requests_at_warmed_up: WARM_UP,
    };
    t.diagnostic(JSON.stringify(figures));
    await reportFigures('status_clients_50', figures);
    // Anonymous memory is the heap and what the daemon allocates: from
    // warmed up to the end it stays within GC noise.
    assert.ok(anonAfter <= anonWarm * 1.25 + 16 * 1024, `anonymous memory ${mib(anonWarm)} MiB warmed up, ${mib(anonAfter)} MiB after ${ms.length} requests`);
  });
});
