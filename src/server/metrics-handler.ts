// The metrics command (right: read): every process's state and resource use
// and every identity's job counts, as Prometheus text. The gateway serves it
// at GET /metrics (src/gateway/metrics-route.ts).
import type { Registry } from 'prom-client';
import type { ProcessStats } from '../gen/taskmaster/v1/control_pb';
import type { Slot } from '../supervisor/slot';
import { statusOf } from '../supervisor/status';
import type { DaemonControl } from './control';
import type { HandlerOf } from './handler-types';
import type { ProcessSample } from './metrics-render';

type Render = typeof import('./metrics-render');

// Loaded at the first scrape (its own bundle: packaging/build.mjs), with the
// daemon's default-metrics registry, which must be one per process: its
// collectors (the event loop's delay, GC durations) run from then on.
let renderer: Promise<{ render: Render; daemon: Registry }> | null = null;

function loadRenderer(): Promise<{ render: Render; daemon: Registry }> {
  renderer ??= import('./metrics-render').then((render) => ({ render, daemon: render.daemonRegistry() }));
  return renderer;
}

/** The slot as metrics read it: its status with `stats` when measured, and its spawn in Unix seconds. */
export function sampleOf(slot: Slot, stats: ProcessStats | undefined, now: number, wallNow: number): ProcessSample {
  const status = statusOf(slot, now);
  const state = slot.rec.state;
  if (stats !== undefined && status.pid !== undefined) status.stats = stats;
  // The spawn was on the monotonic clock; the wall clock now, less the time since, is when it was.
  const startTimeSeconds = 'spawnedAt' in state && status.pid !== undefined ? (wallNow - (now - state.spawnedAt)) / 1000 : null;
  return { status, startTimeSeconds };
}

export const METRICS_HANDLER: HandlerOf<'metrics'> = async (ctl: DaemonControl) => {
  const { render, daemon } = await loadRenderer();
  const slots = ctl.supervisor.list();
  const stats = await ctl.processStats(slots);
  // Read after the stats, which may take a while: the times are those of the answer.
  const now = ctl.now();
  const wallNow = ctl.wallNow();
  const processes = slots.map((s) => sampleOf(s, stats.get(s.name), now, wallNow));
  return render.renderMetrics({ version: ctl.version, processes, jobs: ctl.jobs.counts() }, daemon);
};
