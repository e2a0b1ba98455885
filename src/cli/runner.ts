// Runs one command line (already split into words) through the command
// modules: lookup, argument parsing, a context, and the one rendering of
// whatever it throws.
import type { Caller } from '../protocol/commands';
import { Client } from './client';
import { findCommand } from './commands';
import type { CommandContext } from './commands/types';
import { parseArgs } from './args';
import { EXIT, exitCodeOf, failureOf, jsonOf, textOf } from './exit-codes';
import type { Interrupt } from './interrupt';
import type { CtlIO } from './io';

export interface RunnerOptions {
  io: CtlIO;
  json: boolean;
  interactive: boolean;
  socket: () => Promise<string>;
  /** Leave the connections open when a command ends (the process is about to exit); Ctrl-C still closes them. */
  leaveOpen?: boolean;
}

export type Runner = (words: string[], interrupt: Interrupt) => Promise<number>;

/** Prints a failure the one way it is printed, and gives its exit code. */
export function reportFailure(e: unknown, json: boolean, io: CtlIO): number {
  const failure = failureOf(e);
  if (json) io.stdout(JSON.stringify(jsonOf(failure)) + '\n');
  else io.stderr(textOf(failure) + '\n');
  return exitCodeOf(failure.code);
}

export function makeRunner(opts: RunnerOptions): Runner {
  const { io, json } = opts;
  return async (words, interrupt) => {
    const clients: Caller[] = [];
    const closeAll = () => clients.forEach((c) => c.close());
    const ctx: CommandContext = {
      json,
      interactive: opts.interactive,
      interrupt,
      out: io.stdout,
      emit: (value, text) => {
        if (json) io.stdout(JSON.stringify(value) + '\n');
        else if (text !== '') io.stdout(text + '\n');
      },
      caller: async () => {
        const client = new Client(await opts.socket());
        clients.push(client);
        if (interrupt.aborted) client.close();
        return client;
      },
    };
    // Ctrl-C during a request: drop the connection so the command returns at once.
    const unsubscribe = interrupt.onAbort(closeAll);
    try {
      const cmd = findCommand(words[0]!);
      return await cmd.run(parseArgs(cmd, words.slice(1)), ctx);
    } catch (e) {
      if (interrupt.aborted) return EXIT.INTERRUPTED;
      return reportFailure(e, json, io);
    } finally {
      unsubscribe();
      if (!opts.leaveOpen) closeAll();
    }
  };
}
