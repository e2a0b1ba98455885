// The real edges of the supervisor (see edges.ts): Node's timers, the
// spawner of spawner.ts with its account cache, and kill(2).
import type { Clock, Signaller, Spawner } from './edges';
import { spawnProgram } from './spawner';
import { AccountCache } from '../config/accounts';

/** `now`: the daemon's monotonic clock, shared with whoever else reads it. */
export function osClock(now: () => number): Clock {
  return {
    now,
    wallNow: () => Date.now(),
    setTimer: (fn, ms) => {
      const timer = setTimeout(fn, ms);
      return { cancel: () => clearTimeout(timer) };
    },
    nextTurn: (fn) => void setImmediate(fn),
  };
}

export function osSpawner(): Spawner {
  const accounts = new AccountCache();
  return {
    spawn: (spec, sinks) => spawnProgram(spec, accounts, sinks),
    forgetAccounts: () => accounts.clear(),
  };
}

export const osSignaller: Signaller = {
  kill(pid, signal, group) {
    try {
      // A negative pid names the process group (setsid made the child its leader).
      process.kill(group ? -pid : pid, `SIG${signal}` as NodeJS.Signals);
      return null;
    } catch (err) {
      // ESRCH, EPERM, or ERR_UNKNOWN_SIGNAL for a name Node does not know.
      return { code: (err as NodeJS.ErrnoException).code ?? 'EINVAL', message: (err as Error).message };
    }
  },
  groupAlive(pgid) {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false; // ESRCH: no process left in the group
    }
  },
};
