// The daemon's spawn addon (src/native/spawn.c): posix_spawn, pipes of a
// chosen capacity, exit watching by pidfd. Loaded on first use, so the CLI,
// which never spawns, never pays for it. A build that could not compile it
// carries the reason in its place; TASKMASTER_SPAWN=node leaves it unused.
// Either way the daemon falls back to Node's child_process.
import { daemonAddon, type Loaded } from './load';

export const SPAWN_ASSET = 'taskmaster-spawn.node';

export interface SpawnAddon {
  /** The system's page size in bytes. */
  readonly pageSize: number;
  /**
   * [readFd, writeFd, capacity]: close-on-exec fds, and the capacity in bytes
   * the pipe has (the kernel may refuse the one asked). `capacity` 0 keeps
   * the kernel's default.
   */
  makePipe(capacity: number): [number, number, number];
  /**
   * Throws an Error with the errno name as `.code` when exec fails.
   * `yieldToChild`: give the CPU to the new child before returning.
   * `cgroupFd`: a directory fd of the cgroup the child is created in (clone3
   * CLONE_INTO_CGROUP, or the child joins it before exec); -1 for the daemon's.
   */
  spawn(file: string, argv: string[], env: string[], cwd: string | null, stdoutFd: number, stderrFd: number, yieldToChild: boolean, cgroupFd: number): number;
  /** Calls back once the child has been reaped: (exit code, null) or (null, signal number). */
  watchExit(pid: number, callback: (code: number | null, signal: number | null) => void): void;
}

const loadSpawn = daemonAddon<SpawnAddon>(SPAWN_ASSET, 'spawn');
let loaded: Loaded<SpawnAddon> | null = null;
const load = (): Loaded<SpawnAddon> =>
  (loaded ??= process.env.TASKMASTER_SPAWN === 'node' ? { addon: null, why: 'TASKMASTER_SPAWN=node' } : loadSpawn());

export function spawnAddon(): SpawnAddon | null {
  return load().addon;
}

/** Why the addon is not in use, or null when it is: for one line in the daemon's log. */
export function spawnAddonMissing(): string | null {
  return load().why;
}
