// At daemon start (and `taskmasterd --check`): can this daemon give each
// process its own cgroup v2 with the controllers it needs? Decided from the
// kernel's texts (pure: decideSupport), read by detectCgroups.
//
// What is accepted as "ours to manage": the daemon's own cgroup when it is the
// only process in it (systemd starts the unit's main process alone in the
// service's cgroup; with Delegate=yes the subtree is left to us), or, when the
// daemon sits in the root cgroup (root outside systemd, a container's init),
// a `taskmaster` cgroup it makes below the root. A cgroup shared with other
// processes (a login shell's session scope) is refused: the daemon could not
// move into a leaf and enable controllers without moving them too.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { CONTROLLER_OF, type LimitKey, REQUIRED_CONTROLLERS, WANTED_CONTROLLERS } from './limits';
import { type CgroupMount, parseCgroupMounts, parseControllers, parsePids, parseProcCgroup, v2PathOf } from './proc-files';

export type CgroupSupport =
  | {
      ok: true;
      /** The directory the daemon manages: it holds daemon/, programs/ and jobs/. */
      base: string;
      /** Whether base must be made (the daemon was in the root cgroup). */
      makeBase: boolean;
      /** The wanted controllers the base may enable. */
      controllers: string[];
    }
  | { ok: false; reason: string };

/** What decideSupport reads from the host. */
export interface HostTexts {
  procSelfCgroup: string;
  mountinfo: string;
  pid: number;
  /** Reads a file relative to nothing (absolute path); null when it cannot be read. */
  read: (path: string) => string | null;
}

export function decideSupport(host: HostTexts): CgroupSupport {
  const mounts = parseCgroupMounts(host.mountinfo);
  const v2 = mounts.find((m) => m.version === 2);
  if (v2 === undefined) return { ok: false, reason: 'no cgroup v2 hierarchy is mounted (cgroup v1 only)' };
  const path = v2PathOf(parseProcCgroup(host.procSelfCgroup));
  if (path === null) return { ok: false, reason: 'this process is in no cgroup v2 hierarchy (/proc/self/cgroup has no "0::" line)' };
  const own = dirOf(v2, path);
  if (own === null) return { ok: false, reason: `the cgroup ${path} is outside the cgroup v2 mount at ${v2.mountPoint}` };
  const available = parseControllers(host.read(join(own, 'cgroup.controllers')) ?? '');
  const missing = REQUIRED_CONTROLLERS.filter((c) => !available.includes(c));
  if (missing.length > 0) return { ok: false, reason: missingReason(missing, mounts) };
  const controllers = WANTED_CONTROLLERS.filter((c) => available.includes(c));
  if (path === '/') return { ok: true, base: join(own, 'taskmaster'), makeBase: true, controllers };
  const others = parsePids(host.read(join(own, 'cgroup.procs')) ?? '').filter((p) => p !== host.pid);
  if (others.length > 0) {
    const shown = others.slice(0, 5).join(', ') + (others.length > 5 ? ', …' : '');
    return { ok: false, reason: `the daemon's cgroup ${path} holds other processes (${shown}): it is not delegated to the daemon (run it under systemd with Delegate=yes)` };
  }
  return { ok: true, base: own, makeBase: false, controllers };
}

function dirOf(mount: CgroupMount, path: string): string | null {
  const root = mount.root === '/' ? '' : mount.root;
  if (root !== '' && path !== root && !path.startsWith(`${root}/`)) return null;
  return join(mount.mountPoint, path.slice(root.length));
}

function missingReason(missing: string[], mounts: readonly CgroupMount[]): string {
  const inV1 = missing.filter((c) => mounts.some((m) => m.version === 1 && m.controllers.includes(c)));
  if (inV1.length === missing.length) {
    return `cgroup v2 controllers ${missing.join(', ')} are bound to cgroup v1 on this host (hybrid hierarchy)`;
  }
  return `cgroup v2 controllers ${missing.join(', ')} are not available to the daemon's cgroup (not enabled by its parent: no delegation)`;
}

/** This host, read now. `mountinfo` may be overridden for tests of a fake tree. */
export function detectCgroups(): CgroupSupport {
  const read = (path: string): string | null => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return null;
    }
  };
  const procSelfCgroup = read('/proc/self/cgroup');
  const mountinfo = read('/proc/self/mountinfo');
  if (procSelfCgroup === null || mountinfo === null) return { ok: false, reason: '/proc is not mounted' };
  return decideSupport({ procSelfCgroup, mountinfo, pid: process.pid, read });
}

/** One line for the daemon's log and for --check. */
export function describeSupport(support: CgroupSupport): string {
  if (support.ok) {
    const limits = support.controllers.length === 0 ? 'no controllers: limits refused' : `controllers ${support.controllers.join(', ')}; limits available`;
    return `cgroup v2: each process in its own cgroup under ${support.base} (${limits})`;
  }
  return `cgroup v2 unavailable, limits refused, processes are fenced by process groups only: ${support.reason}`;
}

/** Why a limit setting cannot be applied with this support, for the config's loader. */
export function limitRefusalOf(support: CgroupSupport): (key: LimitKey) => string | null {
  return (key) => {
    if (!support.ok) return support.reason;
    const controller = CONTROLLER_OF[key];
    return support.controllers.includes(controller) ? null : `the cgroup v2 controller ${controller} is not available to the daemon's cgroup`;
  };
}
