// The daemon's own identity: its umask, the owner of its control socket,
// and dropping from root to `taskmasterd.user` once the socket and logs
// are open (they stay open across the drop).
import { chownSync, mkdirSync } from 'node:fs';
import type { DaemonSettings } from '../config/types';
import { TaskmasterError } from '../protocol/errors';
import { AccountCache } from '../config/accounts';
import { spawnSync } from 'node:child_process';

const accounts = new AccountCache();

/** `key` names the setting the user came from, for the error. */
function account(user: string, key: 'taskmasterd.user' | 'taskmasterd.socket_owner'): { uid: number; gid: number; name: string } {
  const found = accounts.lookup(user);
  if (!found.ok) throw new TaskmasterError('EBADCONFIG', `${key}: ${found.reason}`);
  return found.account;
}

function groupId(group: string): number {
  if (/^\d+$/.test(group)) return Number(group);
  const r = spawnSync('getent', ['group', group], { encoding: 'utf8' });
  const gid = Number(r.stdout?.split(':')[2]);
  if (r.status !== 0 || !Number.isInteger(gid)) throw new TaskmasterError('EBADCONFIG', `taskmasterd.socket_owner: no such group "${group}"`);
  return gid;
}

/** socket_owner "user" or "user:group" (group defaults to the user's primary group). */
export function chownSocket(path: string, owner: string): void {
  const [user, group] = owner.split(':') as [string, string | undefined];
  const acct = account(user, 'taskmasterd.socket_owner');
  chownSync(path, acct.uid, group === undefined ? acct.gid : groupId(group));
}

/** Directories the daemon writes after the drop must be the new user's. */
export function prepareDirsFor(settings: DaemonSettings, dirs: string[]): void {
  if (settings.user === null || process.getuid?.() !== 0) return;
  const acct = account(settings.user, 'taskmasterd.user');
  for (const dir of dirs) {
    mkdirSync(dir, { recursive: true });
    chownSync(dir, acct.uid, acct.gid);
  }
}

/** The uid and gid the daemon drops to, when it does (for what must be theirs before the drop). */
export function dropTarget(settings: DaemonSettings): { uid: number; gid: number } | null {
  if (settings.user === null || process.getuid?.() !== 0) return null;
  return account(settings.user, 'taskmasterd.user');
}

/** setgid, initgroups, setuid — in that order, while we still may. */
export function dropPrivileges(user: string): { uid: number; gid: number } {
  const acct = account(user, 'taskmasterd.user');
  if (process.getuid?.() === acct.uid) return acct;
  if (process.getuid?.() !== 0) {
    throw new TaskmasterError('EBADCONFIG', `taskmasterd.user "${user}": only root can switch users (running as uid ${process.getuid?.()})`);
  }
  // Node has these on POSIX; the type marks them optional for Windows.
  const posix = process as unknown as { setgid(id: number): void; initgroups(user: string, gid: number): void; setuid(id: number): void };
  posix.setgid(acct.gid);
  posix.initgroups(acct.name, acct.gid);
  posix.setuid(acct.uid);
  return acct;
}
