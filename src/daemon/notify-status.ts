// What the daemon tells systemd: a one-line STATUS kept current, and the
// watchdog ping. The ping runs on a timer in the event loop, so a stuck
// loop stops pinging and systemd's watchdog catches it.
import type { Notifier } from '../notify/sd-notify';
import type { Supervisor } from '../supervisor/supervisor';

/** "3 programs: 2 running, 1 fatal" — processes counted by state. */
export function statusSummary(sup: Supervisor): string {
  const slots = sup.list();
  const counts = new Map<string, number>();
  for (const s of slots) counts.set(s.rec.state.kind, (counts.get(s.rec.state.kind) ?? 0) + 1);
  const parts = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([state, n]) => `${n} ${state.toLowerCase()}`);
  return `${slots.length} program${slots.length === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

/** Keeps STATUS= current; returns a function that stops doing so. */
export function keepStatusCurrent(sup: Supervisor, notifier: Notifier): () => void {
  if (!notifier.enabled) return () => undefined;
  let last = statusSummary(sup); // already sent with READY=1
  let pending = false;
  const update = (): void => {
    pending = false;
    const line = statusSummary(sup);
    if (line !== last) notifier.send(`STATUS=${line}`);
    last = line;
  };
  // Coalesced: 500 processes changing state at once send one datagram.
  const off = sup.onChange(() => {
    if (!pending) {
      pending = true;
      setImmediate(update);
    }
  });
  return off;
}

/** WATCHDOG=1 at half of WATCHDOG_USEC, when systemd asked for it (and for us). */
export function startWatchdog(env: NodeJS.ProcessEnv, notifier: Notifier): () => void {
  const usec = Number(env.WATCHDOG_USEC);
  const forPid = env.WATCHDOG_PID ? Number(env.WATCHDOG_PID) : process.pid;
  if (!notifier.enabled || !Number.isFinite(usec) || usec <= 0 || forPid !== process.pid) return () => undefined;
  const timer = setInterval(() => notifier.send('WATCHDOG=1'), Math.max(1, Math.floor(usec / 2000)));
  notifier.send('WATCHDOG=1');
  return () => clearInterval(timer);
}

/** MONOTONIC_USEC for RELOADING=1: Node's hrtime is CLOCK_MONOTONIC on Linux. */
export function monotonicUsec(): string {
  return String(process.hrtime.bigint() / 1000n);
}
