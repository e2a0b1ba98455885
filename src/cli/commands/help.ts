// help and exit/quit: the commands that never talk to the daemon.
import { didYouMean } from '../../config/suggest';
import { EXIT } from '../exit-codes';
import { UsageError } from '../usage-error';
import type { Command } from './types';

export function namesOf(cmd: Command): string[] {
  return [cmd.name, ...(cmd.aliases ?? [])];
}

export function commandListText(commands: readonly Command[]): string {
  const usages = commands.map((c) => [c.usage, ...(c.aliases ?? [])].join(', '));
  const width = Math.max(...usages.map((u) => u.length)) + 2;
  const rows = commands.map((c, i) => `  ${usages[i]!.padEnd(width)}${c.summary}`);
  return ['commands:', ...rows].join('\n');
}

/** The command named `word`, or a UsageError that suggests the nearest one. */
export function lookup(commands: readonly Command[], word: string): Command {
  const found = commands.find((c) => namesOf(c).includes(word));
  if (found) return found;
  const hint = didYouMean(word, commands.flatMap(namesOf)) ?? '"help" lists the commands';
  throw new UsageError(`unknown command "${word}"; ${hint}`);
}

function describe(c: Command) {
  return { name: c.name, aliases: c.aliases ?? [], usage: c.usage, summary: c.summary };
}

export function makeHelp(commands: () => readonly Command[]): Command {
  return {
    name: 'help',
    usage: 'help [COMMAND]',
    summary: 'list the commands, or show how to use one',
    positionals: [{ name: 'COMMAND', complete: 'command', required: false }],
    async run({ positionals: [word] }, ctx) {
      if (word === undefined) {
        ctx.emit(commands().map(describe), `${commandListText(commands())}\n\nType "help COMMAND" for more.`);
      } else {
        const c = lookup(commands(), word);
        ctx.emit(describe(c), `usage: ${c.usage}\n  ${c.summary}`);
      }
      return EXIT.OK;
    },
  };
}

export const exit: Command = {
  name: 'exit',
  aliases: ['quit'],
  usage: 'exit',
  summary: 'leave the shell (Ctrl-D does too)',
  positionals: [],
  shellOnly: true,
  async run(_args, ctx) {
    // The shell leaves before running it; one-shot there is nothing to leave.
    ctx.emit({}, '');
    return EXIT.OK;
  },
};
