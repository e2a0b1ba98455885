// The account a job runs as: its name (for the Job message) and its home
// (the working directory and HOME when the request names none). The
// spawner looks up uid, gid and groups on its own when it switches user.
import { statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { AccountCache } from '../config/accounts';

export interface JobAccount {
  name: string;
  home: string;
}

export type JobAccountLookup = { ok: true; account: JobAccount } | { ok: false; reason: string };

export interface JobAccounts {
  /** The account of `runAs` (a name or uid); null: the daemon's own. */
  lookup(runAs: string | null): JobAccountLookup;
  /** Drops cached lookups: /etc/passwd may have changed (on reload). */
  forget(): void;
}

export function osJobAccounts(): JobAccounts {
  const cache = new AccountCache();
  return {
    lookup(runAs) {
      if (runAs === null) {
        // Read each time: the daemon may have dropped to taskmasterd.user since the last job.
        const me = userInfo();
        return { ok: true, account: { name: me.username, home: usableHome(me.homedir) } };
      }
      const found = cache.lookup(runAs);
      return found.ok ? { ok: true, account: { name: found.account.name, home: usableHome(found.account.home) } } : found;
    },
    forget: () => cache.clear(),
  };
}

/**
 * The home, or / when it is not a directory: system accounts often have
 * none (nobody's is /nonexistent), and a job should not fail for it — su(1)
 * does the same ("No directory, logging in with HOME=/").
 */
function usableHome(home: string): string {
  try {
    if (home !== '' && statSync(home).isDirectory()) return home;
  } catch {
    // missing or unreadable: /
  }
  return '/';
}
