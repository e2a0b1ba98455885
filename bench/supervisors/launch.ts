// Shared by the adapters: start a daemon with its stderr in a file, wait for
// it to exit, and kill whatever it leaves.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { track, untrack } from '../lib/cleanup';
import { gone, killAll } from '../lib/proc';
import { sleep, waitFor } from '../lib/time';
import type { Daemon, RawClient } from './types';

/** `nofile`: run under `prlimit --nofile=N:N`, which sets both limits and execs the daemon (same pid). */
export function startDaemon(argv: string[], errFile: string, env: NodeJS.ProcessEnv = process.env, nofile?: number): ChildProcess {
  const fd = openSync(errFile, 'a');
  const full = nofile ? ['prlimit', `--nofile=${nofile}:${nofile}`, '--', ...argv] : argv;
  const child = spawn(full[0]!, full.slice(1), { stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  track(child.pid);
  child.once('exit', () => untrack(child.pid));
  return child;
}

/** Signals the daemon, waits up to `graceMs` for it to exit, then SIGKILLs it and every program pid it had. */
export async function stopDaemon(pid: number | undefined, programPids: Set<number>, graceMs = 30_000): Promise<void> {
  if (pid) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
    await waitFor('the daemon to exit', graceMs, 20, () => (gone(pid) ? true : undefined)).catch(() => killAll([pid]));
  }
  const left = [...programPids].filter((p) => !gone(p));
  if (left.length) {
    killAll(left);
    await sleep(50);
  }
}

/** Records every pid a status reported, so that shutdown can kill leftovers. */
export function recordPids<T extends { pid: number | null }>(seen: Set<number>, procs: T[]): T[] {
  for (const p of procs) if (p.pid) seen.add(p.pid);
  return procs;
}

type CliCommand = ReturnType<Daemon['statusCli']>;

/**
 * A Daemon for a supervisor run as `child`, reached through `open` (its own
 * socket client), controlled with `ctl` (its CLI with some arguments), whose
 * `stop all` is `ctl('stop', 'all')`, reloaded by `reload`. Shutdown kills every pid it reported.
 */
export function daemonOnSocket(
  child: ChildProcess,
  open: () => Promise<RawClient>,
  ctl: (...args: string[]) => CliCommand,
  reload: Daemon['reload'],
): Daemon {
  const seen = new Set<number>();
  return {
    pid: async () => child.pid!,
    connect: async () => {
      const c = await open();
      return { status: async () => recordPids(seen, await c.status()), statusOne: c.statusOne, close: c.close };
    },
    reload,
    statusCli: () => ctl('status'),
    stopAllCli: () => ctl('stop', 'all'),
    shutdown: () => stopDaemon(child.pid, seen),
  };
}

/** Retries connecting while the daemon starts up. */
export const connectWhenUp = (d: Daemon, timeoutMs: number): Promise<RawClient> =>
  waitFor('the daemon socket', timeoutMs, 10, () => d.connect());
