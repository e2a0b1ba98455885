// The one place that decides "may this identity run this command". Every
// command needs one right; the table is keyed by CommandName, so a command
// added to the schema does not compile until its right is named here.
import type { CommandName } from '../protocol/commands';
import type { ErrorInfo } from '../protocol/errors';
import type { Identity } from './identity';

/** read: look at programs and logs; control: change them or the daemon; jobs: run and see one's own jobs; admin: manage who gets in. */
export type Right = 'read' | 'control' | 'jobs' | 'admin';

export const RIGHTS: Readonly<Record<CommandName, Right>> = {
  status: 'read',
  config: 'read',
  tail: 'read',
  maintail: 'read',
  pid: 'read',
  version: 'read',
  watch: 'read',
  logUrl: 'read',
  metrics: 'read',
  events: 'read',
  start: 'control',
  stop: 'control',
  restart: 'control',
  signal: 'control',
  reload: 'control',
  shutdown: 'control',
  detach: 'control',
  run: 'jobs',
  logs: 'jobs',
  ps: 'jobs',
  list: 'jobs',
  kill: 'jobs',
  createToken: 'admin',
  listTokens: 'admin',
  revokeToken: 'admin',
  // fg: watching is reading, as tail -f; typing into a process is control.
  attach: 'read',
  sendInput: 'control',
};

export function holds(identity: Identity, right: Right): boolean {
  switch (right) {
    case 'read':
      return identity.programs === 'read' || identity.programs === 'control';
    case 'control':
      return identity.programs === 'control';
    case 'jobs':
      return identity.jobs !== null;
    case 'admin':
      return identity.admin;
  }
}

/** Null when `identity` may run `cmd`; otherwise the EPERM that refuses it. */
export function authorize(identity: Identity, cmd: CommandName): ErrorInfo | null {
  const right = RIGHTS[cmd];
  if (holds(identity, right)) return null;
  return { code: 'EPERM', message: `identity ${identity.name} may not ${cmd}: it needs the ${right} right` };
}
