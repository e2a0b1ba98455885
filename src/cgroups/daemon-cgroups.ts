// The daemon's cgroups as its parts see them: what the host supports, and
// the tree to work in when it does (null: the process-group fallback, where
// every cgroup step is skipped and limit settings are refused at load).
import { osCgroupFs, type CgroupFs } from './cgroup-fs';
import { type CgroupSupport, detectCgroups } from './detect';
import { CgroupTree } from './tree';

export interface DaemonCgroups {
  readonly support: CgroupSupport;
  readonly tree: CgroupTree | null;
}

export const NO_CGROUPS: DaemonCgroups = { support: { ok: false, reason: 'cgroups not in use' }, tree: null };

/**
 * At the daemon's start: detect, then move the daemon into its leaf and
 * enable the controllers. `spawnAddonMissing`: why the spawn addon is not in
 * use — without it a child cannot be placed in its cgroup before it execs
 * (Node's child_process has no such step), so the mode is not offered.
 * A layout the kernel refuses leaves the fallback, with the refusal as reason.
 */
export function openDaemonCgroups(spawnAddonMissing: () => string | null, fs: CgroupFs = osCgroupFs, detected: CgroupSupport = detectCgroups()): DaemonCgroups {
  const support = withAddon(detected, spawnAddonMissing);
  if (!support.ok) return { support, tree: null };
  const tree = new CgroupTree(support.base, support.controllers, fs, killPid);
  try {
    tree.setUp(process.pid, support.makeBase);
  } catch (err) {
    return { support: { ok: false, reason: `cannot set up the cgroup layout under ${support.base}: ${(err as Error).message}` }, tree: null };
  }
  return { support, tree };
}

/** `taskmasterd --check`: what a daemon started the same way would find, nothing moved. */
export function checkCgroups(spawnAddonMissing: () => string | null): CgroupSupport {
  return withAddon(detectCgroups(), spawnAddonMissing);
}

function withAddon(support: CgroupSupport, spawnAddonMissing: () => string | null): CgroupSupport {
  if (!support.ok) return support;
  const why = spawnAddonMissing();
  return why === null ? support : { ok: false, reason: `the spawn addon is not in use (${why}): without it a child cannot be placed in its cgroup before it runs` };
}

function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // ESRCH: gone between the read of cgroup.procs and now
  }
}
