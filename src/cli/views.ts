// What --json prints: the schema's messages as plain JSON for scripts, in the
// shapes the README documents (state names as RUNNING, absent values as null),
// rather than protobuf's JSON form (PROCESS_STATE_RUNNING, absent fields).
import { type ActionOutcome, HealthState, type HealthStatus, ProcessState, type ProcessPid, type ProcessStats, type ProcessStatus, type ReloadResponse, type VersionResponse } from '../gen/taskmaster/v1/control_pb';

/** RUNNING, FATAL, …: the schema's enum name without its prefix. */
export function stateName(state: ProcessState): string {
  return ProcessState[state] ?? String(state);
}

/** Wall-clock ms of a Timestamp. */
export function timestampMs(t: { seconds: bigint; nanos: number }): number {
  return Number(t.seconds) * 1000 + Math.floor(t.nanos / 1e6);
}

export function statusView(p: ProcessStatus) {
  return {
    name: p.name,
    program: p.program,
    state: stateName(p.state),
    pid: p.pid ?? null,
    exitcode: p.exitcode ?? null,
    exitsignal: p.exitsignal ?? null,
    uptime_s: p.uptimeS ?? null,
    description: p.description,
    restarts: p.restarts,
    // ISO 8601, UTC.
    exited_at: p.exitedAt === undefined ? null : new Date(timestampMs(p.exitedAt)).toISOString(),
    stats: p.stats === undefined ? null : statsView(p.stats),
    detached_pid: p.detachedPid ?? null,
    notify_status: p.notifyStatus ?? null,
    notify_phase: p.notifyPhase ?? null,
    health: p.health === undefined ? null : healthView(p.health),
  };
}

/** healthy, unhealthy, starting: the schema's enum name without its prefix, in lower case. */
export function healthName(state: HealthState): string {
  return (HealthState[state] ?? String(state)).toLowerCase();
}

/** Set while RUNNING with a healthcheck; null otherwise. */
export function healthView(h: HealthStatus) {
  return { state: healthName(h.state), last_failure: h.lastFailure ?? null, failures: h.failures };
}

/** Bytes as numbers: exact up to 8 PiB, and what scripts can do arithmetic on. */
export function statsView(s: ProcessStats) {
  return {
    cpu_percent: s.cpuPercent,
    cpu_seconds: s.cpuSeconds,
    rss_bytes: Number(s.rssBytes),
    uss_bytes: Number(s.ussBytes),
    memory_peak_bytes: s.memoryPeakBytes === undefined ? null : Number(s.memoryPeakBytes),
    threads: s.threads,
    fds: s.fds,
    processes: s.processes,
  };
}

export function outcomeView(o: ActionOutcome) {
  return { name: o.name, ok: o.ok, state: stateName(o.state), error: o.error ? { code: o.error.code, message: o.error.message } : null };
}

export function pidView(p: ProcessPid) {
  return { name: p.name, pid: p.pid ?? null };
}

export function reloadView(r: ReloadResponse) {
  return { added: r.added, removed: r.removed, restarted: r.restarted, updated: r.updated, unchanged: r.unchanged };
}

export function versionView(v: VersionResponse) {
  return { version: v.version, protocol: v.protocol };
}

/** One row of `--json status`. */
export type StatusView = ReturnType<typeof statusView>;
