// The daemon's cgroups as its parts see them: what the host supports, and
// the tree to work in when it does (null: the process-group fallback, where
// every cgroup step is skipped and limit settings are refused at load).
import { dirname, join } from 'node:path';
import { osCgroupFs, type CgroupFs } from './cgroup-fs';
import { type CgroupSupport, detectCgroups } from './detect';
import { WANTED_CONTROLLERS } from './limits';
import { parseControllers } from './proc-files';
import { CgroupTree } from './tree';

/**
 * For the integration tests on a host whose cgroup v2 hierarchy has no
 * controllers (a hybrid one): a directory to make in a cgroup v2 mount and
 * manage as the base, with whatever controllers its parent offers. The
 * placement, kills and clean-up are then the kernel's own; limits stay
 * refused unless their controller is there. Never set in production.
 */
export const TEST_BASE_ENV = 'TASKMASTER_CGROUP_TEST_BASE';

function testSupport(env: NodeJS.ProcessEnv, fs: CgroupFs): CgroupSupport | null {
  const base = env[TEST_BASE_ENV];
  if (base === undefined || base === '') return null;
  const offered = fs.read(join(dirname(base), 'cgroup.controllers'));
  if (offered === null) return { ok: false, reason: `${TEST_BASE_ENV}=${base}: ${dirname(base)} is not a cgroup v2 directory` };
  const controllers = WANTED_CONTROLLERS.filter((c) => parseControllers(offered).includes(c));
  return { ok: true, base, makeBase: true, controllers };
}

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
export function openDaemonCgroups(
  spawnAddonMissing: () => string | null,
  fs: CgroupFs = osCgroupFs,
  detected: CgroupSupport = testSupport(process.env, fs) ?? detectCgroups(),
): DaemonCgroups {
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
  return withAddon(testSupport(process.env, osCgroupFs) ?? detectCgroups(), spawnAddonMissing);
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
