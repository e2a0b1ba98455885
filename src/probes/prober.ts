// How a probe of the config (`ready:` or `healthcheck:`) reaches the OS: tcp
// and http as they are, exec as the program's own user, in its working dir,
// with its environment (what the program itself can reach is what its check
// should test). One for the daemon, shared by readiness and health checks.
import { AccountCache } from '../config/accounts';
import type { ProbeSpec } from '../config/probe-readers';
import { probeExec } from './exec';
import { probeHttp } from './http';
import { probeTcp } from './tcp';

/** Where and as whom an exec probe runs: the program's own settings. */
export interface ProbeContext {
  env: Record<string, string>;
  cwd: string | null;
  user: string | null;
}

export interface Prober {
  /** Resolves null when the probe passed, else why not; never rejects. */
  probe(probe: ProbeSpec, timeoutMs: number, context: ProbeContext, signal: AbortSignal): Promise<string | null>;
  /** Drops cached account lookups (a reload may follow a change to /etc/passwd). */
  forgetAccounts(): void;
}

export function osProber(): Prober {
  // Cached as the spawner's are: getent runs once per user, not once per probe.
  const accounts = new AccountCache();
  return {
    probe(probe, timeoutMs, context, signal) {
      switch (probe.kind) {
        case 'tcp':
          return probeTcp(probe, timeoutMs, signal);
        case 'http':
          return probeHttp(probe.url, timeoutMs, signal);
        case 'exec': {
          const found = context.user === null ? null : accounts.lookup(context.user);
          if (found !== null && !found.ok) return Promise.resolve(found.reason);
          const ids = found === null ? {} : { uid: found.account.uid, gid: found.account.gid };
          return probeExec(probe.cmd, { timeoutMs, cwd: context.cwd ?? undefined, env: context.env, ...ids }, signal);
        }
      }
    },
    forgetAccounts: () => accounts.clear(),
  };
}
