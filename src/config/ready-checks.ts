// The readiness keys read together: watchdog_sec needs ready: notify (only
// sd_notify can ping), and ready_timeout without ready: has nothing to time.
import type { Scope } from './issues';
import type { Field } from './nodes';
import type { ProgramConfig } from './types';

export function checkReadiness(s: Scope, p: ProgramConfig, fields: ReadonlyMap<string, Field>): void {
  const watchdog = fields.get('watchdog_sec');
  if (watchdog !== undefined && p.watchdog_sec !== null && p.ready?.kind !== 'notify') {
    s.error(watchdog.keyAt, 'watchdog_sec', 'watchdog_sec needs ready: notify (the program pings with sd_notify WATCHDOG=1)');
  }
  const timeout = fields.get('ready_timeout');
  if (timeout !== undefined && p.ready === null) {
    s.warn(timeout.keyAt, 'ready_timeout', 'ready_timeout is ignored without ready: (starttime decides when the program is RUNNING)');
  }
}
