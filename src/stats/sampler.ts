// Resource use of the running programs, read when someone asks (status -l,
// watch, metrics) and never otherwise: there is no timer here. The one state
// kept is each group's last CPU reading, so that the next one can tell the
// CPU percentage over the time between them.
import type { ProcessStats } from '../gen/taskmaster/v1/control_pb';
import { type CpuMark, groupStats } from './group-stats';
import type { ProcScan } from './proc-reader';

// CPU time moves in ticks (10 ms at USER_HZ 100): over a shorter span one tick
// more or less swings the percentage by 5 points or more. A reading that
// comes sooner than this after the last one is measured from that one's
// predecessor, and does not become a mark itself.
const MIN_CPU_SPAN_MS = 500;

/** A running process to sample: its group (pgid = its pid) and when it was spawned (monotonic ms). */
export interface SampleTarget {
  name: string;
  pgid: number;
  spawnedAtMs: number;
}

export interface SamplerDeps {
  scan(pgids: ReadonlySet<number>): Promise<ProcScan>;
  clockTicksPerSecond(): Promise<number>;
  /** Monotonic ms. */
  now(): number;
  /** Told of each pass over /proc, so that a pass nobody asked for would show. */
  scanned(targets: number, members: number): void;
}

export class ProcessSampler {
  /** By pgid: the last reading kept, and the one before it. */
  private readonly marks = new Map<number, { last: CpuMark; before: CpuMark | null }>();

  constructor(private readonly deps: SamplerDeps) {}

  /** Stats by target name; a target whose group has no live member gets none. */
  async sample(targets: readonly SampleTarget[]): Promise<Map<string, ProcessStats>> {
    const out = new Map<string, ProcessStats>();
    if (targets.length === 0) return out;
    const ticks = await this.deps.clockTicksPerSecond();
    const scan = await this.deps.scan(new Set(targets.map((t) => t.pgid)));
    const now = this.deps.now();
    let members = 0;
    for (const t of targets) {
      const group = scan.members.get(t.pgid);
      if (group === undefined || group.length === 0) continue;
      members += group.length;
      // Marks older than the spawn belong to an earlier process that had the same pid.
      const found = this.marks.get(t.pgid);
      const marks = found !== undefined && found.last.atMs >= t.spawnedAtMs ? found : null;
      const spawn = { cpuSeconds: 0, atMs: t.spawnedAtMs };
      const longEnough = marks === null || now - marks.last.atMs >= MIN_CPU_SPAN_MS;
      const since = marks === null ? spawn : longEnough ? marks.last : (marks.before ?? spawn);
      const stats = groupStats(group, ticks, now, since);
      if (longEnough) this.marks.set(t.pgid, { last: { cpuSeconds: stats.cpuSeconds, atMs: now }, before: marks?.last ?? null });
      out.set(t.name, stats);
    }
    // Groups gone from /proc keep no mark: the map stays as small as what runs.
    for (const pgid of this.marks.keys()) if (!scan.groups.has(pgid)) this.marks.delete(pgid);
    this.deps.scanned(targets.length, members);
    return out;
  }
}
