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
  flag?: string; // '-f'; a flag has a short form, a long one, or both
  long?: string; // '--follow'; a value then also as `--dir=DIR`
  key: string; // 'follow'
  value?: 'int' | 'string'; // takes a non-negative integer (`-n 5`, `-n5`) or any string
  repeat?: boolean; // may be given again: the values collect in a list (`-e A=1 -e B=2`)
}

export interface ParsedArgs {
  flags: Record<string, number | true | string | string[]>;
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
  /** The daemon, local or remote, through the schema's commands; the runner closes it when the command ends. */
  caller: () => Promise<Caller>;
  /** Bytes as a job wrote them, to our stdout or stderr unchanged. */
  write: (stream: 'stdout' | 'stderr', data: Uint8Array) => void;
  /** A line of ours on stderr (with its newline). */
  err: (s: string) => void;
  /** Subscribes to SIGTERM and SIGHUP (run -f kills its job on them); returns the unsubscribe. */
  onTerminate?: (listener: () => void) => () => void;
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
  /** From the first positional on, every argument is a positional as it is: run's CMD ARGS, `-C` included. */
  passThrough?: boolean;
  /** Ctrl-C is the command's to handle (run -f kills its job): the runner leaves its connections open. */
  ownsInterrupt?: boolean;
  run: (args: ParsedArgs, ctx: CommandContext) => Promise<number>;
}
