// idle: with the programs RUNNING and no client, the CPU the daemon uses
// (ns on a CPU of all its threads and helper processes, from schedstat) over
// a window, and at its end the memory they hold: USS, PSS and the anonymous
// part (what each counts: lib/proc.ts memoryMiB), RSS for information.
// Compared with supervisord; the limit is node itself doing nothing, the
// floor under any daemon written for it.
//
// The window: 60 s in the full run, a whole multiple of every periodic timer
// the three daemons run with these configs, so each fires the same number of
// times in it wherever it starts: supervisord wakes every 1 s (its select
// timeout) and posts TICK_5 / TICK_60 events; PM2's God runs its worker and
// its system metrics every 30 s (PM2_WORKER_INTERVAL); taskmaster's daemon
// has no periodic timer here (src/: only the systemd watchdog, not asked
// for, and the web gateway's stall check, not configured). It starts after
// the settle time plus a random 0–5 s, so that no one-off work of a daemon
// (V8's memory reducer some seconds after start) sits at a fixed distance
// from its edge in every run.
//
// A second window follows the first at once: one-off work after start (V8's
// memory reducer collects some 20–30 s after the start's allocations) falls
// in the first for a daemon that has it; the second shows what an idle
// minute costs from then on. The target stays on the first.
//
// The supervisors share one window: each is launched in turn (in the run's
// rotated order) and waited RUNNING, then one window measures them all. What
// is counted is each daemon's own CPU time and its own pages, which another
// idle daemon beside it does not change; taking them one after another cost
// four windows a run, most of the bench's time limit.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { track, untrack } from '../lib/cleanup';
import { cpuNsBetween, daemonTree, memoryMiB, threadCpuNs } from '../lib/proc';
import { sleep } from '../lib/time';
import { connectWhenUp } from '../supervisors/launch';
import type { Supervisor } from '../supervisors/types';
import { sleepers, untilAllRunning } from './common';
import type { Ctx, Sample, Workload } from './types';

const JITTER_MS = 5000;

export const idle: Workload = {
  name: 'idle',
  describe: (s) => ({
    measure: `${s.idle.programs} programs \`sleep 1000\` RUNNING under each supervisor, all supervisors side by side (launched in the run's rotated order, each in its own dir) and measured in one shared window, no client connected, ${s.idle.settle_s} s to settle plus a random 0–${JITTER_MS / 1000} s, then a window of ${s.idle.seconds} s and another right after it: CPU in ns (the first field of /proc/PID/task/TID/schedstat, summed over the daemon's threads and its helper processes' threads), then, at the end of the second, their memory from /proc/PID/smaps_rollup summed: USS (Private_Clean+Private_Dirty), PSS (Pss), anonymous (Pss_Anon), and RSS for information; PM2 runs on its own copy of node, as taskmaster on its own executable, so that no other process shares its executable's pages`,
    limit: 'node doing nothing (`node -e` with one timer that never fires) on its own copy of the executable, in the same window: the floor of any daemon on Node 20',
    settings: s.idle,
  }),
  metrics: [
    { key: 'cpu_ms', label: 'CPU, first idle window (schedstat ns)', unit: 'ms', digits: 2, ratioTo: 'supervisord', target: { text: '≤ 0.5× supervisord', on: 'ratio', ok: (r) => r <= 0.5 } },
    { key: 'cpu_next_ms', label: 'CPU, second idle window, right after (schedstat ns)', unit: 'ms', digits: 2, ratioTo: 'supervisord' },
    { key: 'uss_mib', label: 'USS, private (daemon + helpers)', unit: 'MiB', digits: 1, ratioTo: 'supervisord', target: { text: '≤ 0.6× supervisord', on: 'ratio', ok: (r) => r <= 0.6 } },
    { key: 'pss_mib', label: 'PSS (daemon + helpers)', unit: 'MiB', digits: 1, ratioTo: 'supervisord' },
    { key: 'anon_mib', label: 'anonymous, Pss_Anon (heap, stacks)', unit: 'MiB', digits: 1, ratioTo: 'supervisord' },
    { key: 'rss_mib', label: 'RSS, for information', unit: 'MiB', digits: 1 },
    { key: 'procs', label: 'daemon processes (1 + helpers)', unit: '', digits: 0 },
  ],
  measure: async (sup, ctx) => {
    const got = await measureTogether([sup], ctx).then((m) => m.get(sup)!);
    if (got instanceof Error) throw got;
    return got;
  },
  together: (sups, ctx) => measureTogether(sups, ctx),
  // Measured only with the supervisors, in their window (together).
  limit: async () => {
    throw new Error('idle: the limit is measured in the supervisors\' window');
  },
};

/** A daemon (or the limit's bare node) being watched: what to count and how to stop it. */
interface Watched {
  root: number;
  programPids: number[];
  stop(): Promise<void>;
  before?: Map<string, number>;
}

type Column = Supervisor | 'limit';

/** Launches each supervisor in its own dir and waits for its programs RUNNING; one that fails gets its Error. */
async function launchAll(sups: Supervisor[], ctx: Ctx): Promise<Map<Column, Watched | Error>> {
  const { programs, starttime_s } = ctx.settings.idle;
  const out = new Map<Column, Watched | Error>();
  for (const sup of sups) {
    const dir = join(ctx.dir, sup.name);
    mkdirSync(dir);
    const d = sup.launch(dir, [sleepers(ctx, programs, starttime_s)]);
    try {
      const c = await connectWhenUp(d, 60_000);
      const procs = await untilAllRunning(c, programs, 100);
      c.close();
      out.set(sup, { root: await d.pid(), programPids: procs.map((p) => p.pid!).filter(Boolean), stop: () => d.shutdown() });
    } catch (err) {
      await d.shutdown();
      out.set(sup, err as Error);
    }
  }
  out.set('limit', bareNode(ctx));
  return out;
}

/**
 * The limit: node doing nothing (one timer that never fires), on its own
 * copy of the executable as every supervisor here runs on its own: the
 * floor of any daemon written for Node 20, taskmaster's included.
 */
function bareNode(ctx: Ctx): Watched | Error {
  const dir = join(ctx.dir, 'limit');
  mkdirSync(dir);
  const copy = join(dir, 'node-idle');
  copyFileSync(process.execPath, copy);
  const child = spawn(copy, ['-e', 'setInterval(() => {}, 2 ** 31 - 1)'], { stdio: 'ignore' });
  if (!child.pid) return new Error('the bare node did not start');
  track(child.pid);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    root: child.pid,
    programPids: [],
    stop: async () => {
      child.kill('SIGKILL');
      await exited;
      untrack(child.pid);
    },
  };
}

async function measureTogether(sups: Supervisor[], ctx: Ctx): Promise<Map<Column, Sample | Error>> {
  const { settle_s, seconds } = ctx.settings.idle;
  const launched = await launchAll(sups, ctx);
  const out = new Map<Column, Sample | Error>();
  const live = (): [Column, Watched][] => [...launched].filter((e): e is [Column, Watched] => !(e[1] instanceof Error) && !out.has(e[0]));
  for (const [c, w] of launched) if (w instanceof Error) out.set(c, w);
  try {
    await sleep(settle_s * 1000 + Math.random() * JITTER_MS * (ctx.settings.smoke ? 0.01 : 1));
    for (const [c, w] of live()) {
      w.before = threadCpuNs(daemonTree(w.root, w.programPids));
      if (w.before.size === 0) out.set(c, new Error(`no /proc/${w.root}/task/*/schedstat readable: no CPU figure`));
    }
    await sleep(seconds * 1000);
    const middle = new Map<Column, Map<string, number>>();
    for (const [c, w] of live()) middle.set(c, threadCpuNs(daemonTree(w.root, w.programPids)));
    await sleep(seconds * 1000);
    for (const [c, w] of live()) {
      const tree = daemonTree(w.root, w.programPids);
      const mem = memoryMiB(tree);
      const mid = middle.get(c)!;
      out.set(c, {
        cpu_ms: cpuNsBetween(w.before!, mid) / 1e6,
        cpu_next_ms: cpuNsBetween(mid, threadCpuNs(tree)) / 1e6,
        uss_mib: mem.uss,
        pss_mib: mem.pss,
        anon_mib: mem.anon,
        rss_mib: mem.rss,
        procs: tree.length,
      });
    }
  } finally {
    for (const w of launched.values()) if (!(w instanceof Error)) await w.stop();
  }
  return out;
}
