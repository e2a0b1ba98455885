// The daemon's spawn addon (src/native/spawn.c): posix_spawn, pipes of a
// chosen capacity, exit watching by pidfd. Loaded on first use, so the CLI,
// which never spawns, never pays for it.
import { join } from 'node:path';
import { loadNativeAddon } from './load';

export const SPAWN_ASSET = 'taskmaster-spawn.node';

export interface SpawnAddon {
  /** [readFd, writeFd], close-on-exec; `capacity` 0 keeps the kernel's default. */
  makePipe(capacity: number): [number, number];
  /** Throws an Error with the errno name as `.code` when exec fails. */
  spawn(file: string, argv: string[], env: string[], cwd: string | null, stdoutFd: number, stderrFd: number): number;
  /** Calls back once the child has been reaped: (exit code, null) or (null, signal number). */
  watchExit(pid: number, callback: (code: number | null, signal: number | null) => void): void;
}

let addon: SpawnAddon | null = null;

export function spawnAddon(): SpawnAddon {
  // Outside the single executable the daemon bundle runs from dist/, beside the built addon.
  addon ??= loadNativeAddon(SPAWN_ASSET, 'spawn', () => join(__dirname, SPAWN_ASSET)) as SpawnAddon;
  return addon;
}
