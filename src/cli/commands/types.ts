// What every command module exports: its metadata (used by parsing, help and
// completion alike) and a run function that talks through the injected context.
import type { Caller } from '../../protocol/commands';
import type { Interrupt } from '../interrupt';

/** What to offer when completing an argument in the shell. */
export type CompletionKind = 'process' | 'process-or-all' | 'stream' | 'signal' | 'command' | 'none';

export interface PositionalSpec {
  name: string; // as in the usage line: 'NAME'
  complete: CompletionKind;
  required: boolean;
  repeat?: boolean; // only on the last one: it takes any number of further arguments
}

export interface FlagSpec {
  flag: string; // '-f'
  key: string; // 'follow'
  value?: 'int'; // takes a non-negative integer: `-n 5` or `-n5`
}

export interface ParsedArgs {
  flags: Record<string, number | true>;
  positionals: string[];
}

export interface CommandContext {
  json: boolean;
  interactive: boolean;
  /** Aborted on Ctrl-C; `tail -f` ends on it, other requests are cut short. */
  interrupt: Interrupt;
  out: (s: string) => void;
  /** Prints `value` as one JSON line under --json, otherwise `text` and a newline (nothing if empty). */
  emit: (value: unknown, text: string) => void;
  /** Opens a connection to the daemon (whatever carries it); the runner closes it when the command ends. */
  caller: () => Promise<Caller>;
}

export interface Command {
  name: string;
  aliases?: string[];
  usage: string;
  summary: string;
  positionals: PositionalSpec[];
  flags?: FlagSpec[];
  /** Meaningful only in the shell; one-shot it does nothing and succeeds. */
  shellOnly?: boolean;
  run: (args: ParsedArgs, ctx: CommandContext) => Promise<number>;
}
