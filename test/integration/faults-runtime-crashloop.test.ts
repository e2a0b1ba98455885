// Crash loops: 50 programs that exit as soon as they start, autorestart
// true, starttime 0. The daemon keeps answering `status` all along, and
// restartdelay with restartdelay_max bounds how often it spawns them (and so
// the CPU it burns); without a delay it restarts them as fast as it can.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Daemon, sleep, waitFor } from './harness';
import { program, spawnOrder, withDaemon } from './lifecycle-helpers';
import { cpuSeconds, type LatencyFigures, reportFigures, whileSampling } from './faults-runtime-helpers';

const PROGRAMS = 50;
const WINDOW_MS = 4000;
const ANSWERS = 5;
const names = Array.from({ length: PROGRAMS }, (_, i) => `crash${i}`);

function config(restartdelay: number, restartdelayMax: number): string {
  return names
    .map((name) =>
      program(name, {
        cmd: '/bin/false',
        starttime: 0,
        autorestart: true,
        restartdelay,
        restartdelay_max: restartdelayMax,
      }),
    )
    .join('');
}

// The earliest moments (ms after its first spawn) at which one process can
// be spawned again under restartdelay 0.2 and restartdelay_max 1: each delay
// counts from an exit, which comes after its spawn, and doubles over the
// streak up to the cap: 0.2, 0.4, 0.8, then 1 s each.
const EARLIEST_SPAWNS_MS = [0, 200, 600, 1400, 2400, 3400, 4400, 5400, 6400, 7400, 8400, 9400, 10400, 11400, 12400, 13400, 14400, 15400, 16400, 17400, 18400];
const CAP_MS = 1000;

/** The most spawns one process can make within `windowMs` under those delays. */
function maxSpawns(windowMs: number): number {
  const last = EARLIEST_SPAWNS_MS[EARLIEST_SPAWNS_MS.length - 1]!;
  const listed = EARLIEST_SPAWNS_MS.filter((at) => at <= windowMs).length;
  // Past the list every delay is the cap.
  return windowMs <= last ? listed : listed + Math.floor((windowMs - last) / CAP_MS);
}

interface LoopRun {
  spawns: Map<string, number>;
  total: number;
  windowMs: number;
  cpuS: number;
  latency: LatencyFigures;
}

/**
 * Runs the crash loop for WINDOW_MS, or longer until status has answered
 * ANSWERS times and `until` holds; the window counted starts before the
 * daemon does.
 */
async function crashLoop(
  restartdelay: number,
  restartdelayMax: number,
  until?: (spawns: number, windowMs: number) => boolean,
): Promise<LoopRun> {
  const t0 = performance.now();
  return withDaemon(config(restartdelay, restartdelayMax), async (d: Daemon) => {
    const pid = d.proc.pid!;
    const cpu0 = cpuSeconds(pid);
    const { value, latency } = await whileSampling(d, 20, async (answered) => {
      await sleep(Math.max(0, WINDOW_MS - (performance.now() - t0)));
      // The daemon must answer while the loop goes on, not only in a lull:
      // a starved event loop fails here (waitFor's limit), whatever the machine.
      await waitFor(() => answered() >= ANSWERS, `${ANSWERS} status answers during the crash loop`);
      if (until) await waitFor(() => until(spawnOrder(d).length, performance.now() - t0), 'the crash loop to get that far');
      // Counted before anything else can spawn; the log may lag on its pipe,
      // which only makes the count smaller.
      return { order: spawnOrder(d), windowMs: performance.now() - t0, cpuS: cpuSeconds(pid) - cpu0 };
    });
    const { order, windowMs, cpuS } = value;
    const spawns = new Map<string, number>();
    for (const n of order) spawns.set(n, (spawns.get(n) ?? 0) + 1);
    return { spawns, total: order.length, windowMs, cpuS, latency };
  });
}

test('a crash loop of 50 programs: restartdelay bounds the spawns, and status answers throughout', async (t) => {
  const delayed = await crashLoop(0.2, 1);
  const bound = maxSpawns(delayed.windowMs);
  for (const name of names) {
    const n = delayed.spawns.get(name) ?? 0;
    assert.ok(n >= 2, `${name} was restarted (${n} spawns)`);
    // +1: slack for a spawn whose exit the window clipped.
    assert.ok(n <= bound + 1, `${name}: ${n} spawns in ${Math.round(delayed.windowMs)} ms; the delays allow ${bound}`);
  }
  assert.equal(delayed.latency.failures, 0, 'every status request was answered');
  assert.ok(delayed.latency.requests > 0);

  // Without a delay the daemon restarts as fast as it can: it soon makes
  // more spawns than the delays would have allowed in the same time (a
  // count, so a slow machine only makes this run longer).
  const beyondDelays = (spawns: number, windowMs: number) => spawns > PROGRAMS * (maxSpawns(windowMs) + 1);
  const eager = await crashLoop(0, 0, beyondDelays);
  assert.equal(eager.latency.failures, 0, 'every status request was answered');
  assert.ok(beyondDelays(eager.total, eager.windowMs), `no delay: ${eager.total} spawns in ${Math.round(eager.windowMs)} ms`);

  const round = (x: number) => Math.round(x * 100) / 100;
  const perSecond = (run: LoopRun) => Math.round((run.total / run.windowMs) * 1000);
  const figures = {
    programs: PROGRAMS,
    window_ms: { delayed: Math.round(delayed.windowMs), no_delay: Math.round(eager.windowMs) },
    delayed: {
      restartdelay: 0.2,
      restartdelay_max: 1,
      spawns: delayed.total,
      spawns_allowed_per_process: bound,
      spawns_per_s: perSecond(delayed),
      daemon_cpu_s: round(delayed.cpuS),
      daemon_cpu_pct: Math.round((delayed.cpuS / (delayed.windowMs / 1000)) * 100),
      status_latency: delayed.latency,
    },
    no_delay: {
      spawns: eager.total,
      spawns_per_s: perSecond(eager),
      daemon_cpu_s: round(eager.cpuS),
      daemon_cpu_pct: Math.round((eager.cpuS / (eager.windowMs / 1000)) * 100),
      status_latency: eager.latency,
    },
  };
  t.diagnostic(JSON.stringify(figures));
  await reportFigures('crash_loop', figures);
});

test('maxSpawns counts the doubling delays up to the cap', () => {
  assert.equal(maxSpawns(100), 1);
  assert.equal(maxSpawns(200), 2); // 0.2
  assert.equal(maxSpawns(1400), 4); // 0.2 + 0.4 + 0.8
  assert.equal(maxSpawns(3400), 6); // … + 1 + 1
  assert.equal(maxSpawns(18_400), 21);
  assert.equal(maxSpawns(20_399), 22);
  assert.equal(maxSpawns(20_400), 23);
});
