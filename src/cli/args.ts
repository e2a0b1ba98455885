// Parses one command's arguments against its metadata; every mistake is a
// UsageError that names the command, what was wrong and the usage line.
import type { Command, FlagSpec, ParsedArgs } from './commands/types';
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
      if (cmd.passThrough) {
        positionals.push(...args.slice(i));
        break;
      }
      positionals.push(arg);
      continue;
    }
    const [spec, inline] = findFlag(cmd, arg);
    if (!spec) fail(`unknown option ${arg}`);
    if (spec!.value === undefined) {
      flags[spec!.key] = true;
      continue;
    }
    const raw = inline !== '' ? inline : args[++i];
    const name = arg === spec!.flag ? spec!.flag : spec!.long!;
    if (raw === undefined || (spec!.value === 'int' && !/^\d+$/.test(raw))) {
      fail(`${name} needs a ${spec!.value === 'int' ? 'non-negative integer' : 'value'}, got ${raw === undefined ? 'nothing' : `"${raw}"`}`);
    }
    const value = spec!.value === 'int' ? Number(raw) : raw!;
    const before = flags[spec!.key];
    flags[spec!.key] = spec!.repeat ? [...(Array.isArray(before) ? before : []), String(value)] : value;
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

/** The flag `arg` names, and its inline value: `-n5`, `--dir=/tmp` ('' when none). */
function findFlag(cmd: Command, arg: string): [FlagSpec | undefined, string] {
  for (const f of cmd.flags ?? []) {
    if (arg === f.flag || arg === f.long) return [f, ''];
    if (f.value === undefined) continue;
    if (f.long && arg.startsWith(`${f.long}=`)) return [f, arg.slice(f.long.length + 1)];
    if (f.flag && arg.startsWith(f.flag) && !arg.startsWith('--')) return [f, arg.slice(f.flag.length)];
  }
  return [undefined, ''];
}
