// One program, two roles: the daemon or the control client, chosen by the
// name it was started as (taskmasterd / taskmasterctl) or a first argument.
// Each role's code is a bundle of its own, loaded only for that role (see
// entry.ts), so the CLI starts about as fast as `node -e 0`.
import { basename } from 'node:path';

export type DaemonModule = { runDaemon(argv: readonly string[]): Promise<number> };
export type CtlModule = { runCtlMain(argv: string[]): Promise<number> };

export interface Roles {
  daemon: () => DaemonModule;
  ctl: () => CtlModule;
}

export async function main(roles: Roles): Promise<void> {
  let argv = process.argv.slice(2);
  let role: 'daemon' | 'ctl';
  const name = basename(process.argv[1] ?? '');
  if (name.startsWith('taskmasterd')) role = 'daemon';
  else if (name.startsWith('taskmasterctl')) role = 'ctl';
  else if (argv[0] === 'daemon' || argv[0] === 'ctl') {
    role = argv[0];
    argv = argv.slice(1);
  } else {
    process.stderr.write('usage: taskmaster daemon [ARGS…] | taskmaster ctl [ARGS…]\n');
    process.exit(1);
  }
  const code = role === 'daemon' ? await roles.daemon().runDaemon(argv) : await roles.ctl().runCtlMain(argv);
  process.exit(code);
}
