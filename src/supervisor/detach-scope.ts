// Under systemd, a detached process must also leave taskmasterd's service:
// the unit's cgroup still holds it, and when the service stops systemd
// kills whatever is left in that cgroup (KillMode=mixed), detached or not.
// So, as tmux and screen do for their servers, the detached process's whole
// process group and its drain move into a transient scope unit of their own
// (Manager.StartTransientUnit, asked through busctl, which comes with
// systemd). Outside a systemd service nothing happens: no cgroup will be
// killed under the process, and the daemon's exit does not reach it.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import type { SupervisorLog } from './log';
import { pgrpOfStat, scopeUnitName, serviceOfCgroup, startScopeArgs } from './systemd-scope';

export interface DetachEscape {
  /**
   * Moves the group that detached `pid` leads, and its drain, out of the
   * daemon's service, in the background; `placed` hears where they ended up
   * (a few words for `status`). Never called back outside a service.
   */
  escape(processName: string, pid: number, drainPid: number | null, placed: (where: string) => void): void;
  /**
   * Resolves once every move asked for so far is done. The daemon waits for
   * it before it exits: a `detach` just before `systemctl stop` must not
   * lose its move (busctl, in the service, would be killed with the rest).
   */
  settled(): Promise<void>;
}

/** Outside a systemd service: the detached process is on its own already. */
export const NO_ESCAPE: DetachEscape = { escape: () => undefined, settled: () => Promise.resolve() };

export interface EscapeOptions {
  /** /proc/self/cgroup's text, or null when it cannot be read (not Linux, no /proc). */
  cgroup: string | null;
  busctl: string;
}

export function detachEscape(log: SupervisorLog, opts: EscapeOptions = { cgroup: readOwnCgroup(), busctl: 'busctl' }): DetachEscape {
  const service = opts.cgroup === null ? null : serviceOfCgroup(opts.cgroup);
  if (service === null) return NO_ESCAPE;
  const pending = new Set<Promise<void>>();
  return {
    settled: async () => void (await Promise.all(pending)),
    escape(processName, pid, drainPid, placed) {
      const unit = scopeUnitName(processName, pid);
      const description = `taskmaster: ${processName}, detached (pid ${pid})`;
      const fields = { process: processName, pid, drainPid, unit, service };
      const move = moveToScope(opts.busctl, unit, description, [pid, drainPid]).then((outcome) => {
        switch (outcome.kind) {
          case 'moved':
            log.info({ ...fields, pids: outcome.pids }, `${processName}: detached pid ${pid} moved out of ${service} into ${unit}`);
            placed(`own scope ${unit}`);
            return;
          case 'gone':
            return; // ended before it could be moved: nothing left for systemd to kill
          case 'failed':
            log.warn({ ...fields, err: outcome.why }, `${processName}: detached pid ${pid} stays in ${service} and will end when it stops: cannot make scope ${unit}: ${outcome.why}`);
            placed(`ends with ${service}`);
            return;
        }
      }).catch((err: Error) => log.error({ ...fields, err: err.message }, `BUG: moving detached pid ${pid} out of ${service}: ${err.message}`));
      pending.add(move);
      void move.finally(() => pending.delete(move));
    },
  };
}

type MoveOutcome = { kind: 'moved'; pids: number[] } | { kind: 'gone' } | { kind: 'failed'; why: string };

/**
 * The groups are a snapshot: a process that one of them forks in the few
 * milliseconds before systemd has moved its parent stays behind. A pid that
 * ends in that time fails the whole call ("does not exist"), so a failure
 * whose snapshot has changed since is tried once more with the new one.
 */
async function moveToScope(busctl: string, unit: string, description: string, leaders: (number | null)[]): Promise<MoveOutcome> {
  const groups = leaders.filter((l): l is number => l !== null);
  let pids = await membersOf(groups);
  for (let attempt = 0; ; attempt++) {
    if (pids.length === 0) return { kind: 'gone' };
    const why = await run(busctl, startScopeArgs(unit, pids, description));
    if (why === null) return { kind: 'moved', pids };
    const again = await membersOf(groups);
    if (attempt > 0 || sameMembers(again, pids)) return { kind: 'failed', why };
    pids = again;
  }
}

/** Every pid whose process group is one of `groups`, from /proc; a process that ends while read is left out. */
async function membersOf(groups: number[]): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return groups; // no /proc to look in: the leaders at least (busctl says if they are gone)
  }
  const members: number[] = [];
  const wanted = new Set(groups);
  const pids = entries.filter((e) => /^\d+$/.test(e));
  // In batches: a busy machine has thousands of processes, and one open file each at once is too many.
  for (let i = 0; i < pids.length; i += 64) {
    const batch = pids.slice(i, i + 64);
    const stats = await Promise.all(batch.map((p) => readFile(`/proc/${p}/stat`, 'utf8').catch(() => '')));
    stats.forEach((stat, j) => {
      const pgrp = pgrpOfStat(stat);
      if (pgrp !== null && wanted.has(pgrp)) members.push(Number(batch[j]));
    });
  }
  return members.sort((a, b) => a - b);
}

function sameMembers(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((pid, i) => pid === b[i]);
}

/** Runs busctl without blocking the loop: null once it succeeded, else what it said. */
function run(busctl: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(busctl, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' } }, (err, _stdout, stderr) => {
      if (err === null) resolve(null);
      else resolve(stderr.trim() || err.message);
    });
  });
}

function readOwnCgroup(): string | null {
  try {
    return readFileSync('/proc/self/cgroup', 'utf8');
  } catch {
    return null;
  }
}
