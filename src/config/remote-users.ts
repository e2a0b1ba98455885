// `taskmasterd.remote.users`: the rights of each identity of the remote API,
// as one small field table per identity. An identity that is not here can do
// nothing; every right is off unless written.
import { isMap } from 'yaml';
import type { Identity } from '../authz/identity';
import { field, keysOf, knownFields, readFields, withDefaults, type SettingsOf } from './field-table';
import { readBool, readChoice, readString } from './fields';
import type { Scope } from './issues';
import { expected, fieldsOf, isNull, type Field } from './nodes';
import type { SourceFile } from './source';

const PROGRAM_RIGHTS = ['control', 'read', 'none'] as const;
export type ProgramRight = (typeof PROGRAM_RIGHTS)[number];

export const USER_FIELDS = {
  // control: every ControlService command; read: status, config, tail, maintail, pid, version.
  programs: field<ProgramRight>({ default: 'none', read: (s, f) => readChoice(s, f, PROGRAM_RIGHTS), onChange: 'in-place' }),
  // May run ad-hoc jobs (and see and kill its own).
  jobs: field<boolean>({ default: false, read: readBool, onChange: 'in-place' }),
  // The local user its jobs run as; null: the daemon's own. Only when the daemon is root (remote-accounts.ts).
  run_as: field<string | null>({ default: null, read: (s, f) => (isNull(f.node) ? null : readString(s, f, 'a user name')), onChange: 'in-place' }),
  // Sees and kills every identity's jobs.
  admin: field<boolean>({ default: false, read: readBool, onChange: 'in-place' }),
};

export type RemoteUser = SettingsOf<typeof USER_FIELDS>;
export type RemoteUsers = Readonly<Record<string, RemoteUser>>;

/** The identity NAME stands for, or null when the config does not name it (the caller answers EPERM). */
export function identityOf(users: RemoteUsers, name: string): Identity | null {
  if (!Object.prototype.hasOwnProperty.call(users, name)) return null;
  const u = users[name]!;
  return { name, programs: u.programs, jobs: u.jobs ? { runAs: u.run_as } : null, admin: u.admin };
}

/**
 * The identity a bearer token signs in as: the token's name, with its role
 * as the program right, whatever remote.users says (the admin who made the
 * token chose the role). Jobs (and run_as) come from the remote.users entry
 * of the same name, if any; else none. Never admin: a token cannot manage
 * tokens, so a leaked one cannot make more.
 */
export function tokenIdentityOf(users: RemoteUsers, token: { name: string; role: 'read' | 'control' }): Identity {
  const u = Object.prototype.hasOwnProperty.call(users, token.name) ? users[token.name]! : null;
  return { name: token.name, programs: token.role, jobs: u?.jobs ? { runAs: u.run_as } : null, admin: false };
}

export function readUsers(s: Scope, f: Field, src: SourceFile): RemoteUsers | undefined {
  if (f.node === null || !isMap(f.node)) {
    s.error(f.at, f.name, expected('a map of identity names (certificate CN) to their rights', f.node));
    return undefined;
  }
  const below = s.below(f.name);
  // A null prototype: an identity named "constructor" or "__proto__" is just a name.
  const users: Record<string, RemoteUser> = Object.create(null) as Record<string, RemoteUser>;
  for (const entry of fieldsOf(src, below, f.node)) {
    if (isNull(entry.node)) {
      users[entry.name] = withDefaults(USER_FIELDS, {});
      continue;
    }
    if (!isMap(entry.node)) {
      below.error(entry.at, entry.name, expected(`a map with keys ${keysOf(USER_FIELDS).join(', ')}`, entry.node));
      continue;
    }
    const us = below.below(entry.name);
    const fields = knownFields(USER_FIELDS, src, us, entry.node);
    users[entry.name] = withDefaults(USER_FIELDS, readFields(USER_FIELDS, fields, us, src, entry.keyAt));
  }
  return users;
}
