// The interactive shell. On a terminal: prompt, line editing, history and Tab
// completion through readline. Otherwise: commands read line by line, no
// prompt, ending at EOF with the last command's exit code (for scripts).
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { Client } from './client';
import { exit, namesOf } from './commands/help';
import { cachedNames, completeLine } from './completion';
import { EXIT } from './exit-codes';
import { History, HISTORY_FILE, HISTORY_MAX } from './history';
import { Interrupt } from './interrupt';
import type { CtlIO } from './io';
import { reportFailure, type Runner } from './runner';
import { splitLine } from './split';

export const PROMPT = 'taskmaster> ';

export interface ShellOptions {
  io: CtlIO;
  runner: Runner;
  json: boolean;
  socket: () => Promise<string>;
}

function streamOver(write: (s: string) => void): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      write(chunk.toString());
      done();
    },
  });
}

export async function runShell({ io, runner, json, socket }: ShellOptions): Promise<number> {
  const history = new History(join(io.homedir, HISTORY_FILE), (message) => io.stderr(message + '\n'));
  const names = cachedNames(async () => {
    const client = new Client(await socket());
    try {
      return (await client.call('status', { names: [] })).processes;
    } finally {
      client.close();
    }
  });
  const terminal = io.isTTY ? (io.terminal ?? streamOver(io.stdout)) : undefined;
  const rl = createInterface({
    input: io.stdin,
    output: terminal,
    terminal: io.isTTY,
    prompt: PROMPT,
    history: history.load().reverse(), // readline wants the newest first
    historySize: HISTORY_MAX,
    removeHistoryDuplicates: true,
    completer: io.isTTY
      ? (line: string, done: (err: Error | null, result?: [string[], string]) => void) =>
          void completeLine(line, names).then((r) => done(null, r), done)
      : undefined,
  });

  let code: number = EXIT.OK;
  let running: Interrupt | null = null;
  let interruptedIdle = false;
  // Ctrl-C stops the running command (a `tail -f`, say). With none running it
  // clears the line on a terminal, and ends a piped shell as sh would.
  const onInterrupt = () => {
    if (running) return running.abort();
    if (io.isTTY) {
      rl.write(null, { ctrl: true, name: 'e' });
      rl.write(null, { ctrl: true, name: 'u' });
      terminal!.write('^C\n');
      rl.prompt();
    } else {
      interruptedIdle = true;
      rl.close();
    }
  };
  rl.on('SIGINT', onInterrupt);
  const unsubscribe = io.isTTY ? undefined : io.onInterrupt?.(onInterrupt);

  try {
    if (io.isTTY) rl.prompt();
    for await (const line of rl) {
      if (line.trim() !== '') history.add(line);
      let words: string[];
      try {
        words = splitLine(line);
      } catch (e) {
        code = reportFailure(e, json, io);
        words = [];
      }
      if (words.length > 0 && namesOf(exit).includes(words[0]!)) {
        code = EXIT.OK;
        break;
      }
      if (words.length > 0) {
        running = new Interrupt();
        code = await runner(words, running);
        running = null;
      }
      if (io.isTTY) rl.prompt();
    }
  } finally {
    unsubscribe?.();
    rl.close();
  }
  if (interruptedIdle) return EXIT.INTERRUPTED;
  return io.isTTY ? EXIT.OK : code;
}
