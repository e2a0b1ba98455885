// Runs one command line (already split into words) through the command
// modules: lookup, argument parsing, a context, and the one rendering of
// whatever it throws.
import type { Caller } from '../protocol/commands';
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
  /** Opens a Caller to the daemon, local or remote (remote/open.ts). */
  caller: () => Promise<Caller>;
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
    const clients: { close(): void }[] = [];
    const closeAll = () => clients.forEach((c) => c.close());
    let owns = false; // the command handles Ctrl-C itself (ownsInterrupt)
    const opened = <T extends { close(): void }>(c: T): T => {
      clients.push(c);
      if (interrupt.aborted && !owns) c.close();
      return c;
    };
    const ctx: CommandContext = {
      json,
      interactive: opts.interactive,
      interrupt,
      out: io.stdout,
      emit: (value, text) => {
        if (json) io.stdout(JSON.stringify(value) + '\n');
        else if (text !== '') io.stdout(text + '\n');
      },
      caller: async () => opened(await opts.caller()),
      write: bytesTo(io),
      err: io.stderr,
      onTerminate: io.onTerminate,
    };
    // Ctrl-C during a request: drop the connection so the command returns at once.
    let unsubscribe = () => {};
    try {
      const cmd = findCommand(words[0]!);
      owns = cmd.ownsInterrupt === true;
      if (!owns) unsubscribe = interrupt.onAbort(closeAll);
      return await cmd.run(parseArgs(cmd, words.slice(1)), ctx);
    } catch (e) {
      if (interrupt.aborted && !owns) return EXIT.INTERRUPTED;
      return reportFailure(e, json, io);
    } finally {
      unsubscribe();
      if (!opts.leaveOpen) closeAll();
    }
  };
}

/** Raw bytes to the real descriptors when the IO can; else decoded, a character split across chunks kept whole. */
function bytesTo(io: CtlIO): CommandContext['write'] {
  if (io.writeBytes) return (stream, data) => io.writeBytes!(stream === 'stdout' ? 1 : 2, data);
  const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  return (stream, data) => (stream === 'stdout' ? io.stdout : io.stderr)(decoders[stream].decode(data, { stream: true }));
}
