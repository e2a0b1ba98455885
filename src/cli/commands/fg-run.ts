// The `fg` session. On a terminal: raw mode, so that every key reaches us
// (attach-keys.ts decides what each does), the window's size passed to a
// terminal program on attach and on every resize, and the terminal given
// back as it was however the session ends (Ctrl-], the process's end,
// SIGTERM, the daemon gone). Without a terminal (input piped in): the bytes
// are sent as they come, and the end of the input detaches once all of it
// has been delivered.
//
// Like `top`, it works on process.stdin and process.stdout directly: raw
// mode and the window belong to the real terminal, which CtlIO does not
// model. Its keys are tested through attach-keys.ts, the whole under tmux.
import type { AttachedProcess } from '../../gen/taskmaster/v1/attach_pb';
import type { Caller } from '../../protocol/commands';
import { DETACH_KEY_NAME, type KeyAction, LineKeys, terminalKeys, withCarriageReturns } from '../attach-keys';
import { EXIT, failureOf } from '../exit-codes';
import { InputSender, MAX_SEND_BYTES, type WindowSize } from '../input-sender';
import type { CommandContext } from './types';

/** Input piped in, read ahead of what was sent: a few of the sender's batches. */
const PIPED_BACKLOG = 4 * MAX_SEND_BYTES;
const NO_SIZE: WindowSize = { rows: 0, cols: 0 };
const windowOf = (out: NodeJS.WriteStream): WindowSize => ({ rows: out.rows || 0, cols: out.columns || 0 });

export async function runFg(name: string, ctx: CommandContext): Promise<number> {
  const session = new FgSession(name, await ctx.caller(), ctx, Boolean(process.stdin.isTTY && process.stdout.isTTY));
  const stopInterrupt = ctx.interrupt.onAbort(() => session.quit.abort());
  const stopTerminate = ctx.onTerminate?.(() => session.quit.abort());
  try {
    return await session.run();
  } finally {
    stopInterrupt();
    stopTerminate?.();
  }
}

class FgSession {
  readonly quit = new AbortController();
  private readonly input: InputSender;
  private release: (() => void) | null = null;
  /** Our terminal is in raw mode: our own lines need "\r\n". */
  private raw = false;
  /** The process is on a terminal of its own (tty: true). */
  private terminal = false;
  private lastWasCR = false;
  private detached = false;

  constructor(
    private readonly name: string,
    private readonly caller: Caller,
    private readonly ctx: CommandContext,
    private readonly onTerminal: boolean,
  ) {
    // Every key of a line typed to a process that takes no input would be
    // refused with the same words: they are said once.
    let lastRefusal = '';
    this.input = new InputSender(caller, name, (e) => {
      const message = failureOf(e).message;
      if (this.quit.signal.aborted || message === lastRefusal) return;
      lastRefusal = message;
      this.say(`[${message}]`);
    });
  }

  async run(): Promise<number> {
    const size = this.onTerminal ? windowOf(process.stdout) : NO_SIZE;
    try {
      for await (const { event } of this.caller.stream('attach', { name: this.name, ...size }, this.quit.signal)) {
        switch (event.case) {
          case 'attached':
            this.attached(event.value);
            break;
          case 'stdout':
          case 'stderr':
            this.output(event.case, event.value);
            break;
          case 'ended':
            if (this.raw) this.ctx.out('\r\n');
            this.say(`[${this.name} ended: ${event.value}]`);
            break;
          case undefined:
            break;
        }
      }
    } finally {
      this.release?.();
    }
    // On a new line: the cursor is wherever the process left it (after a prompt, say).
    if (this.detached) this.say(`${this.onTerminal ? '\n' : ''}[detached from ${this.name}; it runs on]`);
    return EXIT.OK;
  }

  private say(text: string): void {
    this.ctx.err(this.raw ? `${text}\r\n` : `${text}\n`);
  }

  private attached(p: AttachedProcess): void {
    this.terminal = p.terminal;
    const how = p.terminal ? 'its terminal' : p.input ? 'its stdin, a line at a time' : 'output only: its stdin is /dev/null';
    this.say(`[attached to ${p.name}, pid ${p.pid} (${how}); ${DETACH_KEY_NAME} detaches]`);
    this.release = this.onTerminal ? this.rawTerminal() : this.pipedInput();
  }

  private output(stream: 'stdout' | 'stderr', data: Uint8Array): void {
    // A pipe program writes "\n" for a cooked terminal; ours is raw now.
    const shown = this.raw && !this.terminal ? withCarriageReturns(data, this.lastWasCR) : data;
    if (data.length > 0) this.lastWasCR = data[data.length - 1] === 0x0d;
    this.ctx.write(stream, shown);
  }

  private rawTerminal(): () => void {
    const { stdin, stdout } = process;
    const lineKeys = new LineKeys();
    const onKey = (chunk: Buffer): void => this.act(this.terminal ? terminalKeys(chunk) : lineKeys.push(chunk));
    const onResize = (): void => {
      if (this.terminal) this.input.resize(windowOf(stdout));
    };
    stdin.setRawMode(true);
    this.raw = true;
    stdin.on('data', onKey);
    stdin.resume();
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
      stdin.off('data', onKey);
      stdin.setRawMode(false);
      this.raw = false;
      stdin.pause();
    };
  }

  private pipedInput(): () => void {
    const { stdin } = process;
    // Read no further than the sender keeps up: a file piped in is sent a batch at a time.
    const onData = (chunk: Buffer): void => {
      this.input.send(chunk);
      if (this.input.backlog() <= PIPED_BACKLOG) return;
      stdin.pause();
      void this.input.idle().then(() => {
        if (!this.quit.signal.aborted) stdin.resume();
      });
    };
    const onEnd = (): void =>
      void this.input.idle().then(() => {
        this.detached = true;
        this.quit.abort();
      });
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.resume();
    return () => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.pause();
    };
  }

  private act(actions: KeyAction[]): void {
    for (const action of actions) {
      switch (action.kind) {
        case 'send':
          this.input.send(action.data);
          break;
        case 'echo':
          this.ctx.out(action.text);
          break;
        case 'interrupt':
          void this.interrupt();
          break;
        case 'detach':
          this.detached = true;
          this.quit.abort();
          return;
      }
    }
  }

  /** Ctrl-C on a pipe program: SIGINT to it, as the signal command sends it. */
  private async interrupt(): Promise<void> {
    try {
      const [outcome] = (await this.caller.call('signal', { names: [this.name], signal: 'INT' })).outcomes;
      if (outcome?.error) this.say(`[${outcome.error.message}]`);
    } catch (e) {
      if (!this.quit.signal.aborted) this.say(`[${failureOf(e).message}]`);
    }
  }
}
