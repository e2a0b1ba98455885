// The cgroup v2 edge: create, place, limit, read, kill, remove — under one
// base directory the daemon owns (detect.ts decides which):
//
//   base/daemon          the daemon itself: cgroup v2 lets only leaves hold
//                        processes once controllers are enabled below a cgroup
//   base/programs/NAME:N one per program instance
//   base/jobs/ID         one per job
//   base/detached/NAME:N-PID  a process `detach` let go of: out of its
//                        instance's cgroup, which the next start clears, and
//                        never taken for a leftover (it is meant to outlive us)
import { join } from 'node:path';
import type { CgroupFs } from './cgroup-fs';
import { changedLimitFiles, type Limits, limitFiles } from './limits';
import { parseKeyed, parsePids } from './proc-files';

export type CgroupKind = 'programs' | 'jobs';

/** What the kernel counts for one cgroup, the whole tree in it. */
export interface CgroupStats {
  memoryBytes: number | null; // memory.current
  memoryPeakBytes: number | null; // memory.peak (5.19+)
  cpuUsec: number | null; // cpu.stat usage_usec
  pids: number | null; // pids.current
}

export class CgroupTree {
  constructor(
    readonly base: string,
    private readonly controllers: readonly string[],
    private readonly fs: CgroupFs,
    private readonly killPid: (pid: number) => void,
  ) {}

  /** The layout, with the daemon (`pid`) moved into its leaf first. Throws what the kernel refused. */
  setUp(pid: number, makeBase: boolean): void {
    if (makeBase) this.fs.mkdir(this.base);
    this.fs.mkdir(join(this.base, 'daemon'));
    this.fs.write(join(this.base, 'daemon', 'cgroup.procs'), String(pid));
    const enable = this.controllers.map((c) => `+${c}`).join(' ');
    if (enable !== '') this.fs.write(join(this.base, 'cgroup.subtree_control'), enable);
    for (const kind of ['programs', 'jobs'] as const) {
      this.fs.mkdir(join(this.base, kind));
      if (enable !== '') this.fs.write(join(this.base, kind, 'cgroup.subtree_control'), enable);
    }
  }

  /**
   * For a daemon that drops root (taskmasterd.user): the kernel's delegation
   * model — the directories, and their cgroup.procs, cgroup.threads and
   * cgroup.subtree_control, become the user's. Cgroups it makes afterwards
   * are its own; those a run as root left get the files a clean-up writes.
   */
  handTo(uid: number, gid: number): void {
    const delegated = ['cgroup.procs', 'cgroup.threads', 'cgroup.subtree_control'];
    const own = (dir: string, files: readonly string[]): void => {
      this.fs.chown(dir, uid, gid);
      for (const f of files) if (this.fs.exists(join(dir, f))) this.fs.chown(join(dir, f), uid, gid);
    };
    own(this.base, delegated);
    for (const sub of ['daemon', 'programs', 'jobs', 'detached']) {
      const dir = join(this.base, sub);
      if (!this.fs.exists(dir)) continue;
      own(dir, delegated);
      for (const child of this.fs.children(dir)) own(join(dir, child), [...delegated, 'cgroup.kill', 'cgroup.freeze']);
    }
  }

  dirOf(kind: CgroupKind, name: string): string {
    return join(this.base, kind, name);
  }

  /** A fresh cgroup with the limits written, ready for a child to be placed in. */
  prepare(kind: CgroupKind, name: string, limits: Limits): string {
    const dir = this.dirOf(kind, name);
    // A cgroup of the same name left by the instance's last run (a grandchild
    // that outlived it) would carry its processes and counters: clear it,
    // and make it anew when it is empty already.
    if (this.fs.exists(dir)) {
      this.killAll(dir, true);
      this.remove(dir);
    }
    this.fs.mkdir(dir);
    for (const [file, value] of limitFiles(limits)) this.fs.write(join(dir, file), value);
    return dir;
  }

  /** A reload's new limits on a running instance: the same pid keeps going. */
  changeLimits(dir: string, old: Limits, next: Limits): void {
    for (const [file, value] of changedLimitFiles(old, next)) this.fs.write(join(dir, file), value);
  }

  /**
   * Every process in the cgroup, without a window for a fork to escape.
   * `reused`: the cgroup may receive the next child (a program instance's).
   * Those are killed frozen, never by cgroup.kill: after a cgroup.kill, a
   * child that clone3 creates into the same cgroup is killed at birth (seen
   * on Linux 6.18), so a killed cgroup could not take the next run.
   */
  killAll(dir: string, reused = false): void {
    const kill = join(dir, 'cgroup.kill');
    if (!reused && this.fs.exists(kill)) {
      this.fs.write(kill, '1'); // 5.14+: the kernel kills the whole cgroup, forks included
      return;
    }
    // Older kernels: frozen members cannot fork while they are signalled one by one.
    const freeze = join(dir, 'cgroup.freeze');
    this.fs.write(freeze, '1');
    try {
      // A member caught in the middle of a fork may add its child after the
      // read: read again until no one new shows. A killed process forks no more.
      const killed = new Set<number>();
      for (let fresh = this.members(dir); fresh.length > 0; fresh = this.members(dir).filter((p) => !killed.has(p))) {
        for (const pid of fresh) {
          this.killPid(pid);
          killed.add(pid);
        }
      }
    } finally {
      // SIGKILL reaches frozen tasks, but they exit only once thawed.
      this.fs.write(freeze, '0');
    }
  }

  members(dir: string): number[] {
    return parsePids(this.fs.read(join(dir, 'cgroup.procs')) ?? '');
  }

  /** Whether any process is left (cgroup.events "populated"). */
  populated(dir: string): boolean {
    const events = parseKeyed(this.fs.read(join(dir, 'cgroup.events')) ?? '');
    return events.get('populated') === 1 || this.members(dir).length > 0;
  }

  /** Removes an empty cgroup; false while processes remain (or it is gone already). */
  remove(dir: string): boolean {
    try {
      this.fs.rmdir(dir);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ENOENT';
    }
  }

  stats(dir: string): CgroupStats {
    const num = (file: string): number | null => {
      const text = this.fs.read(join(dir, file))?.trim();
      return text !== undefined && /^\d+$/.test(text) ? Number(text) : null;
    };
    const cpu = parseKeyed(this.fs.read(join(dir, 'cpu.stat')) ?? '').get('usage_usec');
    return { memoryBytes: num('memory.current'), memoryPeakBytes: num('memory.peak'), cpuUsec: cpu ?? null, pids: num('pids.current') };
  }

  /** memory.events' oom_kill: how many processes of the cgroup the OOM killer took. */
  oomKills(dir: string): number {
    return parseKeyed(this.fs.read(join(dir, 'memory.events')) ?? '').get('oom_kill') ?? 0;
  }

  /** Moves a detached process out of its instance's cgroup (children it forked before stay behind). */
  detach(pid: number, name: string): string {
    const dir = join(this.base, 'detached', `${name}-${pid}`);
    this.fs.mkdir(dir);
    this.fs.write(join(dir, 'cgroup.procs'), String(pid));
    return dir;
  }

  /** The cgroups of detached processes; the empty ones can go. */
  detached(): string[] {
    return this.fs.children(join(this.base, 'detached')).map((name) => join(this.base, 'detached', name));
  }

  /** The cgroups a daemon killed with SIGKILL left under programs/ and jobs/. */
  leftovers(): string[] {
    return (['programs', 'jobs'] as const).flatMap((kind) => this.fs.children(join(this.base, kind)).map((name) => join(this.base, kind, name)));
  }
}
