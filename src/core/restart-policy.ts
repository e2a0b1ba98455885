// When an exit from RUNNING is followed by a restart, and after how long.
// restartdelay is the pause before an autorestart; with restartdelay_max
// above it, the pause doubles with each restart in a row, up to the cap, so
// a program that crashes as soon as it runs costs a bounded amount of CPU.
// A run that lasts longer than the cap ends the streak.
import type { ProcPolicy, ProcRecord } from './record';

export function wantsRestart(rec: ProcRecord, policy: ProcPolicy): boolean {
  switch (policy.autorestart) {
    case 'always':
      return true;
    case 'never':
      return false;
    case 'unexpected':
      return rec.lastExit !== null && !rec.lastExit.expected;
  }
}

/** The delay before restart number `streak` (0-based) of a crash streak. */
export function restartDelayMs(streak: number, policy: ProcPolicy): number {
  const base = policy.restartdelayMs;
  const cap = Math.max(base, policy.restartdelayMaxMs);
  return Math.min(cap, base * 2 ** Math.min(streak, 30));
}

/** Whether a run of `ranMs` ends a crash streak. */
export function endsStreak(ranMs: number, policy: ProcPolicy): boolean {
  return ranMs > Math.max(policy.restartdelayMs, policy.restartdelayMaxMs);
}
