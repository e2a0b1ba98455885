// The options before COMMAND: taskmasterctl [-c CONFIG | -s SOCKET] [--json] [-H HOST[:PORT] [--cert FILE]
// [--key FILE] [--ca FILE] [--token-file FILE]] [-h] [-V] [COMMAND [ARGS…]].
import { UsageError } from './usage-error';

export interface GlobalOptions {
  config?: string;
  socket?: string;
  host?: string; // -H: a remote taskmasterd (remote/identity.ts)
  cert?: string;
  key?: string;
  ca?: string;
  tokenFile?: string; // a bearer token instead of the client certificate
  json: boolean;
  help: boolean;
  version: boolean;
  command: string[]; // COMMAND and its ARGS; empty for the shell
}

const WITH_VALUE: Record<string, 'config' | 'socket' | 'host' | 'cert' | 'key' | 'ca' | 'tokenFile'> = {
  '-c': 'config',
  '--config': 'config',
  '-s': 'socket',
  '--socket': 'socket',
  '-H': 'host',
  '--host': 'host',
  '--cert': 'cert',
  '--key': 'key',
  '--ca': 'ca',
  '--token-file': 'tokenFile',
};

export const GLOBAL_USAGE =
  'usage: taskmasterctl [-c CONFIG | -s SOCKET] [--json] [-H HOST[:PORT] [--cert FILE] [--key FILE] [--ca FILE] [--token-file FILE]] [-h|--help] [-V|--version] [COMMAND [ARGS…]]';

export function parseGlobalOptions(argv: string[]): GlobalOptions {
  const opts: GlobalOptions = { json: false, help: false, version: false, command: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      opts.command = argv.slice(i + 1);
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      opts.command = argv.slice(i); // options after COMMAND belong to it
      break;
    }
    if (arg === '--json') opts.json = true;
    else if (arg === '-h' || arg === '--help') opts.help = true;
    else if (arg === '-V' || arg === '--version') opts.version = true;
    else {
      const [name, inline] = splitOption(arg);
      const key = WITH_VALUE[name];
      if (!key) throw new UsageError(`unknown option ${arg}\n${GLOBAL_USAGE}`);
      const value = inline ?? argv[++i];
      if (value === undefined || value === '') throw new UsageError(`${name} needs a value\n${GLOBAL_USAGE}`);
      opts[key] = value;
    }
  }
  return opts;
}

/** `--config=FILE` and `-cFILE` as well as `--config FILE`. */
function splitOption(arg: string): [string, string | undefined] {
  if (arg.startsWith('--')) {
    const eq = arg.indexOf('=');
    return eq === -1 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
  }
  return arg.length > 2 ? [arg.slice(0, 2), arg.slice(2)] : [arg, undefined];
}
