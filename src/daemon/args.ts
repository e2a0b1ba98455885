// taskmasterd's command line.
import { DEFAULT_CONFIG_FILE } from '../config/defaults';

export interface DaemonArgs {
  config: string;
  check: boolean;
  help: boolean;
  version: boolean;
}

export const DAEMON_USAGE = `usage: taskmasterd [-c FILE] [--check] [-n] [-h] [-V]
  -c, --config FILE  config file (default ${DEFAULT_CONFIG_FILE})
      --check        validate the config and exit: 0 valid, 1 invalid
  -n, --nodaemon     run in the foreground (always the case; for supervisord habits)
  -h, --help         this help
  -V, --version      print the version`;

export type ParsedArgs = { ok: true; args: DaemonArgs } | { ok: false; message: string };

export function parseDaemonArgs(argv: readonly string[]): ParsedArgs {
  const args: DaemonArgs = { config: DEFAULT_CONFIG_FILE, check: false, help: false, version: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-c' || a === '--config') {
      const v = argv[++i];
      if (v === undefined) return { ok: false, message: `${a} needs a file` };
      args.config = v;
    } else if (a.startsWith('--config=')) args.config = a.slice('--config='.length);
    else if (a === '--check') args.check = true;
    else if (a === '-n' || a === '--nodaemon') continue;
    else if (a === '-h' || a === '--help') args.help = true;
    else if (a === '-V' || a === '--version') args.version = true;
    else return { ok: false, message: `unknown argument "${a}"` };
  }
  return { ok: true, args };
}
