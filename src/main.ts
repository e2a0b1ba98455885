// One program, four roles: the daemon, the control client, the remote API's
// gateway, or the drain of a detached process's output (src/drain.ts),
// chosen by the name it was started as (taskmasterd / taskmasterctl) or a
// first argument. Each role's code is a bundle of its
// own, loaded only for that role (see entry.ts), so the CLI starts about as
// fast as `node -e 0` and the gateway carries neither daemon nor CLI code.
import { basename } from 'node:path';
import type { DrainModule } from './drain';

export type DaemonModule = { runDaemon(argv: readonly string[]): Promise<number> };
export type CtlModule = { runCtlMain(argv: string[]): Promise<number> };
export type GatewayModule = { runGateway(argv: readonly string[]): Promise<number> };

export interface Roles {
  daemon: () => DaemonModule;
  ctl: () => CtlModule;
  gateway: () => GatewayModule;
  drain: () => DrainModule;
}

const ROLES = ['daemon', 'ctl', 'gateway', 'drain'] as const;
type Role = (typeof ROLES)[number];

export async function main(roles: Roles): Promise<void> {
  let argv = process.argv.slice(2);
  let role: Role;
  const name = basename(process.argv[1] ?? '');
  if (name.startsWith('taskmasterd')) role = 'daemon';
  else if (name.startsWith('taskmasterctl')) role = 'ctl';
  else if ((ROLES as readonly string[]).includes(argv[0] ?? '')) {
    role = argv[0] as Role;
    argv = argv.slice(1);
  } else {
    process.stderr.write('usage: taskmaster daemon [ARGS…] | taskmaster ctl [ARGS…] | taskmaster gateway\n');
    process.exit(1);
  }
  process.exit(await run(roles, role, argv));
}

function run(roles: Roles, role: Role, argv: string[]): Promise<number> {
  switch (role) {
    case 'daemon':
      return roles.daemon().runDaemon(argv);
    case 'ctl':
      return roles.ctl().runCtlMain(argv);
    case 'gateway':
      return roles.gateway().runGateway(argv);
    case 'drain':
      return roles.drain().runDrain(argv);
    default:
      return unknownRole(role);
  }
}

function unknownRole(role: never): never {
  throw new Error(`BUG: unknown role ${String(role)}`);
}
