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
  /** Milliseconds from each exit to that process's next spawn, by the daemon's log stamps. */
  gaps: number[];
}

const STAMP = String.raw`^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) \w+ +`;
const ENDED = new RegExp(`${STAMP}(\\S+): pid \\d+ ended`);
const SPAWNED = new RegExp(`${STAMP}spawned: (\\S+) with pid`);

/** Exit → next spawn of the same process, from the daemon's log lines (ms stamps). */
function restartGaps(log: string): number[] {
  const exitedAt = new Map<string, number>();
  const gaps: number[] = [];
  for (const line of log.split('\n')) {
    const ended = ENDED.exec(line);
    if (ended) exitedAt.set(ended[2]!, Date.parse(ended[1]!.replace(' ', 'T')));
    const spawned = SPAWNED.exec(line);
    const at = spawned ? exitedAt.get(spawned[2]!) : undefined;
    if (spawned && at !== undefined) {
      gaps.push(Date.parse(spawned[1]!.replace(' ', 'T')) - at);
      exitedAt.delete(spawned[2]!);
    }
  }
  return gaps;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Runs the crash loop for WINDOW_MS, or longer until status has answered
 * ANSWERS times and `until` holds; the window counted starts before the
 * daemon does.
 */
async function crashLoop(
  restartdelay: number,
  restartdelayMax: number,
  until?: (order: string[], windowMs: number) => boolean,
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
      if (until) await waitFor(() => until(spawnOrder(d), performance.now() - t0), 'the crash loop to get that far');
      // Counted before anything else can spawn; the log may lag on its pipe,
      // which only makes the count smaller.
      return { order: spawnOrder(d), windowMs: performance.now() - t0, cpuS: cpuSeconds(pid) - cpu0, gaps: restartGaps(d.output()) };
    });
    const { order, windowMs, cpuS, gaps } = value;
    const spawns = new Map<string, number>();
    for (const n of order) spawns.set(n, (spawns.get(n) ?? 0) + 1);
    return { spawns, total: order.length, windowMs, cpuS, latency, gaps };
  });
}

test('a crash loop of 50 programs: restartdelay bounds the spawns, and status answers throughout', async (t) => {
  // Every process restarted at least once: on a loaded machine that may take
  // longer than the window, which then grows (and the bound with it).
  const everyRestarted = (order: string[]) => names.every((name) => order.filter((n) => n === name).length >= 2);
  const delayed = await crashLoop(0.2, 1, everyRestarted);
  const bound = maxSpawns(delayed.windowMs);
  for (const name of names) {
    const n = delayed.spawns.get(name) ?? 0;
    assert.ok(n >= 2, `${name} was restarted (${n} spawns)`);
    // +1: slack for a spawn whose exit the window clipped.
    assert.ok(n <= bound + 1, `${name}: ${n} spawns in ${Math.round(delayed.windowMs)} ms; the delays allow ${bound}`);
  }
  assert.equal(delayed.latency.failures, 0, 'every status request was answered');
  assert.ok(delayed.latency.requests > 0);

  // The delays hold: no restart comes sooner than restartdelay after its exit
  // (a load that slows the daemon only lengthens the gaps).
  assert.ok(delayed.gaps.length >= PROGRAMS, `${delayed.gaps.length} restarts seen in the log`);
  assert.ok(Math.min(...delayed.gaps) >= 200, `a restart ${Math.min(...delayed.gaps)} ms after its exit, under restartdelay 0.2`);

  // Without a delay the daemon restarts at once: the spawn is decided with
  // the exit and made in the same turn, so the typical gap is the length of
  // one turn of the daemon's loop, far below the smallest delay above.
  const eager = await crashLoop(0, 0, everyRestarted);
  assert.equal(eager.latency.failures, 0, 'every status request was answered');
  assert.ok(eager.gaps.length >= PROGRAMS, `${eager.gaps.length} restarts seen in the log`);
  assert.ok(median(eager.gaps) < 200, `no delay: restarts a median ${median(eager.gaps)} ms after their exits`);

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
      restart_gap_ms: { min: Math.min(...delayed.gaps), median: median(delayed.gaps) },
      daemon_cpu_s: round(delayed.cpuS),
      daemon_cpu_pct: Math.round((delayed.cpuS / (delayed.windowMs / 1000)) * 100),
      status_latency: delayed.latency,
    },
    no_delay: {
      spawns: eager.total,
      spawns_per_s: perSecond(eager),
      restart_gap_ms: { median: median(eager.gaps), max: Math.max(...eager.gaps) },
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
