// Parsers for the kernel's text files that say where cgroups are: pure, so
// the unit tests feed them the texts of hosts they do not run on.

/** One line of /proc/self/cgroup: `hierarchy-id:controllers:path`. */
export interface ProcCgroupLine {
  hierarchy: number;
  controllers: string[]; // empty for the v2 line ("0::/…")
  path: string;
}

export function parseProcCgroup(text: string): ProcCgroupLine[] {
  const lines: ProcCgroupLine[] = [];
  for (const line of text.split('\n')) {
    // The path may itself hold ':', so split at the first two only.
    const first = line.indexOf(':');
    const second = first < 0 ? -1 : line.indexOf(':', first + 1);
    if (second < 0) continue;
    const hierarchy = Number(line.slice(0, first));
    if (!Number.isInteger(hierarchy)) continue;
    const list = line.slice(first + 1, second);
    lines.push({ hierarchy, controllers: list === '' ? [] : list.split(','), path: line.slice(second + 1) });
  }
  return lines;
}

/** This process's cgroup v2 path ("/system.slice/taskmaster.service"), or null outside v2. */
export function v2PathOf(lines: readonly ProcCgroupLine[]): string | null {
  return lines.find((l) => l.hierarchy === 0 && l.controllers.length === 0)?.path ?? null;
}

/** A cgroup filesystem mounted somewhere, from /proc/self/mountinfo. */
export interface CgroupMount {
  version: 1 | 2;
  mountPoint: string;
  root: string; // the directory of the hierarchy seen at mountPoint ("/" unless a namespace or bind mount)
  controllers: string[]; // for v1: those bound to this hierarchy (from the super options)
}

// mountinfo escapes space, tab, newline and backslash in paths as octal.
function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** The cgroup mounts of /proc/self/mountinfo, in its order. */
export function parseCgroupMounts(text: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of text.split('\n')) {
    // "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL…] - FSTYPE SOURCE SUPEROPTIONS"
    const dash = line.indexOf(' - ');
    if (dash < 0) continue;
    const before = line.slice(0, dash).split(' ');
    const [fstype, , superOptions = ''] = line.slice(dash + 3).split(' ');
    if (before.length < 5 || (fstype !== 'cgroup' && fstype !== 'cgroup2')) continue;
    const root = unescapeMountPath(before[3]!);
    const mountPoint = unescapeMountPath(before[4]!);
    if (fstype === 'cgroup2') {
      mounts.push({ version: 2, mountPoint, root, controllers: [] });
    } else {
      const controllers = superOptions.split(',').filter((o) => !['rw', 'ro'].includes(o) && !o.includes('=') && !o.startsWith('xattr') && o !== 'clone_children' && o !== 'noprefix');
      mounts.push({ version: 1, mountPoint, root, controllers });
    }
  }
  return mounts;
}

/** cgroup.controllers and cgroup.subtree_control: names separated by spaces. */
export function parseControllers(text: string): string[] {
  return text.split(/\s+/).filter((c) => c !== '');
}

/** Flat keyed files (cpu.stat, memory.events, memory.stat): `key value` per line. */
export function parseKeyed(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^\d+$/.test(value)) values.set(key, Number(value));
  }
  return values;
}

/** pids of cgroup.procs, one per line. */
export function parsePids(text: string): number[] {
  return text.split('\n').filter((l) => /^\d+$/.test(l.trim())).map(Number);
}
