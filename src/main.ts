// One program, two roles: the daemon or the control client, chosen by the
// name it was started as (taskmasterd / taskmasterctl) or a first argument.
import { basename } from 'node:path';

export async function main(role?: 'daemon' | 'ctl'): Promise<void> {
  let argv = process.argv.slice(2);
  let chosen = role;
  if (!chosen) {
    const name = basename(process.argv[1] ?? '');
    if (name.startsWith('taskmasterd')) chosen = 'daemon';
    else if (name.startsWith('taskmasterctl')) chosen = 'ctl';
    else if (argv[0] === 'daemon' || argv[0] === 'ctl') {
      chosen = argv[0];
      argv = argv.slice(1);
    } else {
      process.stderr.write('usage: taskmaster daemon [ARGS…] | taskmaster ctl [ARGS…]\n');
      process.exit(1);
    }
  }
  let code: number;
  if (chosen === 'daemon') {
    const { runDaemon } = await import('./daemon/main');
    code = await runDaemon(argv);
  } else {
    const { runCtlMain } = await import('./cli/entry');
    code = await runCtlMain(argv);
  }
  process.exit(code);
}
