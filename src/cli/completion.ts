// Tab completion for the shell: command names first, then each argument by
// the kind its command's metadata gives it. Process names come from a
// `status` request, kept for a short while so each Tab does not ask again.
import { SIGNAL_NAMES } from '../config/signals';
import { COMMANDS } from './commands';
import { namesOf } from './commands/help';
import type { Command, CompletionKind } from './commands/types';

export type NameSource = () => Promise<string[]>;

/** A process as completion needs it (status's ProcessStatus has these). */
interface Named {
  name: string;
  program: string;
}

/** Everything a NAME argument may be: `prog:N`, `prog`, and `prog:*` for groups. */
export function namesFrom(rows: readonly Named[]): string[] {
  const names = new Set<string>();
  for (const r of rows) {
    names.add(r.name);
    if (r.name !== r.program) names.add(r.program).add(`${r.program}:*`);
  }
  return [...names].sort();
}

export function cachedNames(fetch: () => Promise<readonly Named[]>, ttlMs = 2000, now = Date.now): NameSource {
  let cache: { at: number; names: string[] } | null = null;
  return async () => {
    if (cache && now() - cache.at < ttlMs) return cache.names;
    try {
      cache = { at: now(), names: namesFrom(await fetch()) };
      return cache.names;
    } catch {
      return []; // no daemon: complete nothing rather than print an error mid-line
    }
  };
}

/** The kind of the word being typed, given the words between the command and it. */
function kindAt(cmd: Command, before: string[]): CompletionKind {
  let index = 0;
  for (let i = 0; i < before.length; i++) {
    const word = before[i]!;
    const flag = cmd.flags?.find((f) => f.flag === word || f.long === word);
    if (flag) {
      if (flag.value !== undefined && i === before.length - 1) return 'none'; // the flag's own value
      if (flag.value !== undefined) i++;
    } else if (!word.startsWith('-')) {
      index++;
    }
  }
  const spec = cmd.positionals[index] ?? (cmd.positionals.at(-1)?.repeat ? cmd.positionals.at(-1) : undefined);
  return spec?.complete ?? 'none';
}

async function candidates(kind: CompletionKind, names: NameSource): Promise<string[]> {
  switch (kind) {
    case 'command':
      return COMMANDS.flatMap(namesOf);
    case 'process':
      return names();
    case 'process-or-all':
      return ['all', ...(await names())];
    case 'stream':
      return ['stdout', 'stderr'];
    case 'signal':
      return [...SIGNAL_NAMES];
    case 'none':
      return [];
    default:
      return unknownKind(kind);
  }
}

/** readline's completer contract: the matching words and the part of the line they replace. */
export async function completeLine(line: string, names: NameSource): Promise<[string[], string]> {
  const words = line.trimStart().split(/[ \t]+/);
  const current = words.at(-1)!;
  const matching = (choices: string[]) => choices.filter((c) => c.startsWith(current));
  if (words.length === 1) return [matching(COMMANDS.flatMap(namesOf)), current];
  const cmd = COMMANDS.find((c) => namesOf(c).includes(words[0]!));
  if (!cmd) return [[], current];
  if (current.startsWith('-')) return [matching((cmd.flags ?? []).flatMap((f) => [f.flag, f.long].filter((x) => x !== undefined))), current];
  return [matching(await candidates(kindAt(cmd, words.slice(1, -1)), names)), current];
}

function unknownKind(kind: never): never {
  throw new Error(`unhandled completion kind ${String(kind)}`);
}
