// Looking up the account a program runs as. getent goes through NSS, so
// LDAP or systemd-homed users work as they do for `su`; answers are cached
// until the next reload because a fleet of 500 programs shares a few users.
import { spawnSync } from 'node:child_process';

export interface Account {
  name: string;
  uid: number;
  gid: number;
  /** The passwd entry's home directory ('' when it has none). */
  home: string;
}

export type AccountLookup = { ok: true; account: Account } | { ok: false; reason: string };

export class AccountCache {
  private readonly cache = new Map<string, AccountLookup>();

  lookup(user: string): AccountLookup {
    let found = this.cache.get(user);
    if (!found) {
      found = lookupAccount(user);
      this.cache.set(user, found);
    }
    return found;
  }

  clear(): void {
    this.cache.clear();
  }
}

function lookupAccount(user: string): AccountLookup {
  const result = spawnSync('getent', ['passwd', user], { encoding: 'utf8' });
  if (result.error) return { ok: false, reason: `cannot look up user "${user}": ${result.error.message}` };
  if (result.status !== 0) return { ok: false, reason: `no such user "${user}"` };
  const fields = result.stdout.split('\n')[0]?.split(':') ?? [];
  const uid = Number(fields[2]);
  const gid = Number(fields[3]);
  if (fields.length < 4 || !Number.isInteger(uid) || !Number.isInteger(gid)) {
    return { ok: false, reason: `unreadable passwd entry for "${user}"` };
  }
  return { ok: true, account: { name: fields[0] ?? user, uid, gid, home: fields[5] ?? '' } };
}
