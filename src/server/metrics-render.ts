// The metrics command's text: what the daemon knows at one scrape (its
// processes, their resource use, the jobs) in Prometheus's text format, by
// prom-client. Its own bundle in the single executable (packaging/build.mjs),
// loaded at the first scrape: a daemon nobody scrapes never loads it.
//
// The taskmaster_ families are made anew for each scrape from the snapshot,
// so a process removed by a reload leaves no stale series behind. The
// daemon's own process and Node.js metrics are prom-client's defaults under
// their conventional names (process_cpu_seconds_total, nodejs_heap_…),
// collected from the first scrape on.
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { ALL_STATES } from '../core/states';
import { ProcessState, type ProcessStatus } from '../gen/taskmaster/v1/control_pb';
import type { EndedKind, JobCounts } from '../jobs/job-state';

/** One process at the scrape; `status.stats` is set only when its use was measured. */
export interface ProcessSample {
  status: ProcessStatus;
  /** Unix time (seconds) of the spawn of its live child; null without one. */
  startTimeSeconds: number | null;
}

export interface MetricsSnapshot {
  version: string;
  processes: readonly ProcessSample[];
  jobs: JobCounts;
}

export interface MetricsText {
  text: string;
  contentType: string;
}

const ENDED_KINDS: readonly EndedKind[] = ['EXITED', 'KILLED', 'FAILED'];

// prom-client's defaults that are gauges named with a _total suffix, which
// Prometheus reserves for counters (promtool check metrics warns): their
// values are in the families of the same name without it (nodejs_active_handles).
const MISNAMED_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** The taskmaster_ families of one snapshot, in a registry of their own. */
export function snapshotRegistry(s: MetricsSnapshot): Registry {
  const registry = new Registry();
  const registers = [registry];
  const perProcess = ['program', 'process'] as const;
  new Gauge({ name: 'taskmaster_build_info', help: 'The taskmasterd version; always 1.', labelNames: ['version'], registers }).set({ version: s.version }, 1);
  const state = new Gauge({
    name: 'taskmaster_process_state',
    help: 'The process state as status shows it: 1 for the current one, 0 for the others.',
    labelNames: [...perProcess, 'state'],
    registers,
  });
  const up = new Gauge({ name: 'taskmaster_process_up', help: 'Whether the process is RUNNING (1) or not (0).', labelNames: perProcess, registers });
  const restarts = new Counter({
    name: 'taskmaster_process_restarts_total',
    help: 'Spawns of the process since taskmasterd started, after its first.',
    labelNames: perProcess,
    registers,
  });
  const start = new Gauge({
    name: 'taskmaster_process_start_time_seconds',
    help: 'Unix time of the spawn of the running child; absent without one.',
    labelNames: perProcess,
    registers,
  });
  const cpu = new Counter({
    name: 'taskmaster_process_cpu_seconds_total',
    help: 'User and system CPU time of the running child and its process group (or cgroup); starts again at each spawn.',
    labelNames: perProcess,
    registers,
  });
  const rss = new Gauge({ name: 'taskmaster_process_resident_memory_bytes', help: 'Resident memory (RSS) of the running child and its group.', labelNames: perProcess, registers });
  const uss = new Gauge({
    name: 'taskmaster_process_private_memory_bytes',
    help: 'Private memory (USS) of the running child and its group: what ending it would give back.',
    labelNames: perProcess,
    registers,
  });
  const threads = new Gauge({ name: 'taskmaster_process_threads', help: 'Threads of the running child and its group.', labelNames: perProcess, registers });
  const fds = new Gauge({ name: 'taskmaster_process_open_fds', help: 'Open file descriptors of the running child and its group.', labelNames: perProcess, registers });

  for (const { status, startTimeSeconds } of s.processes) {
    const labels = { program: status.program, process: status.name };
    const current = ProcessState[status.state];
    for (const kind of ALL_STATES) state.set({ ...labels, state: kind }, kind === current ? 1 : 0);
    up.set(labels, status.state === ProcessState.RUNNING ? 1 : 0);
    restarts.inc(labels, status.restarts);
    if (startTimeSeconds !== null) start.set(labels, startTimeSeconds);
    // Not measured (the process does not run, or /proc could not be read): no
    // sample at all, rather than a 0 that would read as a measurement.
    const stats = status.stats;
    if (stats === undefined) continue;
    cpu.inc(labels, stats.cpuSeconds);
    rss.set(labels, Number(stats.rssBytes));
    uss.set(labels, Number(stats.ussBytes));
    threads.set(labels, stats.threads);
    fds.set(labels, stats.fds);
  }

  const running = new Gauge({ name: 'taskmaster_jobs_running', help: 'Jobs running now, by the identity that runs them.', labelNames: ['owner'], registers });
  const finished = new Counter({
    name: 'taskmaster_jobs_finished_total',
    help: 'Jobs ended since taskmasterd started, by owner and by how they ended (EXITED, KILLED, FAILED to start).',
    labelNames: ['owner', 'state'],
    registers,
  });
  for (const [owner, n] of s.jobs.running) running.set({ owner }, n);
  for (const [owner, byKind] of s.jobs.finished) for (const kind of ENDED_KINDS) finished.inc({ owner, state: kind }, byKind[kind]);
  return registry;
}

/** prom-client's default metrics of this process (the daemon), in a registry that keeps collecting. */
export function daemonRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  for (const name of MISNAMED_DEFAULTS) registry.removeSingleMetric(name);
  return registry;
}

/** The exposition text of the snapshot, with the daemon's own metrics when `daemon` is given. */
export async function renderMetrics(s: MetricsSnapshot, daemon: Registry | null): Promise<MetricsText> {
  const registry = daemon === null ? snapshotRegistry(s) : Registry.merge([snapshotRegistry(s), daemon]);
  return { text: await registry.metrics(), contentType: registry.contentType };
}
