// Processes the bench started and must not leave behind, even when it is
// interrupted: SIGKILLed on exit, SIGINT and SIGTERM.
import { killAll } from './proc';

const pids = new Set<number>();
const hooks = new Set<() => void>();

export const track = (pid: number | undefined): void => void (pid && pids.add(pid));
export const untrack = (pid: number | undefined): void => void (pid && pids.delete(pid));
export const onCleanup = (hook: () => void): (() => void) => {
  hooks.add(hook);
  return () => hooks.delete(hook);
};

function cleanAll(): void {
  for (const h of hooks) {
    try {
      h();
    } catch {
      // best effort
    }
  }
  killAll(pids);
}

process.on('exit', cleanAll);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    cleanAll();
    process.exit(130);
  });
}
