// Parses one command's arguments against its metadata; every mistake is a
// UsageError that names the command, what was wrong and the usage line.
import type { Command, ParsedArgs } from './commands/types';
import { UsageError } from './usage-error';

export function parseArgs(cmd: Command, args: string[]): ParsedArgs {
  const fail = (what: string): never => {
    throw new UsageError(`${cmd.name}: ${what}\nusage: ${cmd.usage}`);
  };
  const flags: ParsedArgs['flags'] = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const spec = cmd.flags?.find((f) => arg === f.flag || (f.value !== undefined && arg.startsWith(f.flag)));
    if (!spec) fail(`unknown option ${arg}`);
    if (spec!.value === undefined) {
      flags[spec!.key] = true;
      continue;
    }
    const inline = arg.slice(spec!.flag.length);
    const raw = inline !== '' ? inline : args[++i];
    if (raw === undefined || !/^\d+$/.test(raw)) {
      fail(`${spec!.flag} needs a non-negative integer, got ${raw === undefined ? 'nothing' : `"${raw}"`}`);
    }
    flags[spec!.key] = Number(raw);
  }
  const required = cmd.positionals.filter((p) => p.required);
  if (positionals.length < required.length) {
    fail(`missing ${required.slice(positionals.length).map((p) => p.name).join(' and ')}`);
  }
  if (!cmd.positionals.at(-1)?.repeat && positionals.length > cmd.positionals.length) {
    fail(`unexpected argument "${positionals[cmd.positionals.length]}"`);
  }
  return { flags, positionals };
}
