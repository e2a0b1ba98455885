// What the supervisor and the job runner ask of cgroups, as one narrow edge:
// NO_CGROUPS on a host without them (process groups only, every step a
// no-op), cgroupEdge over the daemon's tree otherwise. Unit tests of the
// supervisor pass neither and get NO_CGROUPS.
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { Limits } from '../cgroups/limits';
import type { CgroupKind, CgroupStats, CgroupTree } from '../cgroups/tree';

export interface CgroupEdge {
  /** A fresh cgroup with `limits` written, for the next child of `name`; null without cgroups. Throws what the kernel refused. */
  prepare(kind: CgroupKind, name: string, limits: Limits): string | null;
  changeLimits(dir: string, old: Limits, next: Limits): void;
  /** `reused`: a program instance's cgroup, which the next run takes (see CgroupTree.killAll). */
  killAll(dir: string, reused?: boolean): void;
  populated(dir: string): boolean;
  oomKills(dir: string): number;
  stats(dir: string): CgroupStats;
  /** Removes the cgroup now or, while processes remain, once the last is gone. */
  removeWhenEmpty(dir: string): void;
  /** `detach`: `pid` leaves its instance's cgroup (see CgroupTree.detach). */
  detach(pid: number, name: string): void;
  /** Kills and removes what a daemon killed with SIGKILL left; returns the cgroups found. */
  clearLeftovers(): string[];
}

export const NO_CGROUPS: CgroupEdge = {
  prepare: () => null,
  changeLimits: () => undefined,
  killAll: () => undefined,
  populated: () => false,
  oomKills: () => 0,
  stats: () => ({ memoryBytes: null, memoryPeakBytes: null, cpuUsec: null, pids: null }),
  removeWhenEmpty: () => undefined,
  detach: () => undefined,
  clearLeftovers: () => [],
};

// A cgroup that stays populated this long after its kill is left for the
// next start (prepare kills again) rather than watched for ever.
const REMOVAL_WATCH_MS = 60_000;

export function cgroupEdge(tree: CgroupTree, onError: (dir: string, message: string) => void): CgroupEdge {
  const removals = new Map<string, FSWatcher>();
  const stopWatching = (dir: string): void => {
    removals.get(dir)?.close();
    removals.delete(dir);
  };
  const removeWhenEmpty = (dir: string): void => {
    if (removals.has(dir) || tree.remove(dir)) return;
    // The kernel signals a change of cgroup.events ("populated 0") to inotify.
    let watcher: FSWatcher;
    try {
      watcher = watch(join(dir, 'cgroup.events'), () => {
        if (!tree.populated(dir) && tree.remove(dir)) stopWatching(dir);
      });
    } catch (err) {
      onError(dir, `cannot watch ${dir} to remove it once empty: ${(err as Error).message}`);
      return;
    }
    watcher.on('error', () => stopWatching(dir));
    watcher.unref();
    removals.set(dir, watcher);
    setTimeout(() => {
      if (removals.get(dir) === watcher) stopWatching(dir);
    }, REMOVAL_WATCH_MS).unref();
    // Emptied between the failed rmdir and the watch: no change will come.
    if (!tree.populated(dir) && tree.remove(dir)) stopWatching(dir);
  };
  return {
    prepare(kind, name, limits) {
      // A removal pending from the last run must not take the cgroup from under the next.
      stopWatching(tree.dirOf(kind, name));
      return tree.prepare(kind, name, limits);
    },
    changeLimits: (dir, old, next) => tree.changeLimits(dir, old, next),
    killAll(dir, reused = false) {
      try {
        tree.killAll(dir, reused);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') onError(dir, `cannot kill the processes of ${dir}: ${(err as Error).message}`);
      }
    },
    populated: (dir) => tree.populated(dir),
    oomKills: (dir) => tree.oomKills(dir),
    stats: (dir) => tree.stats(dir),
    removeWhenEmpty,
    detach(pid, name) {
      try {
        removeWhenEmpty(tree.detach(pid, name));
      } catch (err) {
        onError(tree.base, `cannot move detached pid ${pid} out of its cgroup (the next start of ${name} would kill it): ${(err as Error).message}`);
      }
    },
    clearLeftovers() {
      // Detached processes are not leftovers; only their emptied cgroups go.
      for (const dir of tree.detached()) tree.remove(dir);
      const found = tree.leftovers();
      for (const dir of found) {
        // The next start of the same program takes its cgroup (see CgroupTree.killAll).
        this.killAll(dir, true);
        removeWhenEmpty(dir);
      }
      return found;
    },
  };
}
