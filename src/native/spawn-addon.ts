// The daemon's spawn addon (src/native/spawn.c): posix_spawn, pipes of a
// chosen capacity, exit watching by pidfd, pseudo-terminals. Loaded on
// first use, so the CLI, which never spawns, never pays for it. A build that
// could not compile it carries the reason in its place; TASKMASTER_SPAWN=node
// leaves it unused.
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
   * `stdinFd`: the child's stdin (a pipe's read end); -1 or absent: /dev/null.
   * `terminal`: a pty slave's path (openPty), which becomes the child's
   * stdin, stdout, stderr and controlling terminal; the three fds are unused then.
   */
  spawn(
    file: string,
    argv: string[],
    env: string[],
    cwd: string | null,
    stdoutFd: number,
    stderrFd: number,
    yieldToChild: boolean,
    cgroupFd: number,
    stdinFd?: number,
    terminal?: string | null,
  ): number;
  /** Calls back once the child has been reaped: (exit code, null) or (null, signal number). */
  watchExit(pid: number, callback: (code: number | null, signal: number | null) => void): void;
  /** A new pseudo-terminal of rows × cols: its master (close-on-exec) and its slave's path. */
  openPty(rows: number, cols: number): [number, string];
  /** TIOCSWINSZ on a master: the program on the terminal gets SIGWINCH. Throws an errno Error. */
  setWindowSize(masterFd: number, rows: number, cols: number): void;
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
