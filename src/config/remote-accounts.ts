// The accounts the remote API names, checked against who the daemon runs as.
// Only a daemon that stays root can start the gateway as another user or run
// a job as another user: one that is not root, or drops to taskmasterd.user,
// runs the gateway and every job as itself.
import { isMap } from 'yaml';
import { AccountCache } from './accounts';
import { IssueList, Scope, type Pos } from './issues';
import { fieldsOf, type Field } from './nodes';
import type { RemoteConfig } from './remote-fields';
import type { SourceFile } from './source';

const USERADD = 'useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin';

/** True when the daemon keeps root after start-up (taskmasterd.user unset or root). */
export function daemonStaysRoot(daemonUser: string | null, uid = process.getuid?.()): boolean {
  return uid === 0 && (daemonUser === null || daemonUser === 'root' || daemonUser === '0');
}

/** `remoteField` is the `remote:` entry of the daemon's section, `s` the section's scope. */
export function checkRemoteAccounts(src: SourceFile, s: Scope, remoteField: Field, remote: RemoteConfig, daemonUser: string | null, accounts = new AccountCache()): void {
  const rs = s.below(remoteField.name);
  const at = entries(src, remoteField);
  if (daemonStaysRoot(daemonUser)) {
    const found = accounts.lookup(remote.user);
    if (!found.ok) {
      const where = at.get('user')?.at ?? remoteField.keyAt;
      const make = remote.user === 'taskmaster' ? `; create it with: ${USERADD} taskmaster` : `; create it (${USERADD} ${remote.user}) or name another`;
      rs.error(where, 'user', `the gateway runs as user "${remote.user}": ${found.reason}${make}`);
    } else if (found.account.uid === 0) {
      rs.error(at.get('user')?.at ?? remoteField.keyAt, 'user', `the gateway faces the network and must not run as root; got user "${remote.user}" (uid 0)`);
    }
  }
  const users = at.get('users');
  for (const [name, rights] of Object.entries(remote.users)) {
    if (rights.run_as === null) continue;
    const us = rs.below('users').below(name);
    const entry = users === undefined ? undefined : entries(src, users).get(name);
    const runAsAt: Pos = (entry === undefined ? undefined : entries(src, entry).get('run_as')?.at) ?? remoteField.keyAt;
    if (!daemonStaysRoot(daemonUser)) {
      us.error(runAsAt, 'run_as', `only a daemon running as root can run jobs as another user; leave run_as out (jobs run as the daemon's own user)`);
      continue;
    }
    const found = accounts.lookup(rights.run_as);
    if (!found.ok) us.error(runAsAt, 'run_as', found.reason);
  }
}

/** The entries of a map field by name (empty if it is not a map); issues met on the way were reported when it was read. */
function entries(src: SourceFile, f: Field): Map<string, Field> {
  const out = new Map<string, Field>();
  if (f.node === null || !isMap(f.node)) return out;
  const quiet = new Scope(new IssueList(), src.file, src.scope.dir);
  for (const e of fieldsOf(src, quiet, f.node)) out.set(e.name, e);
  return out;
}
