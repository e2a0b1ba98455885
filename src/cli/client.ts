// The Caller over the local socket: one connection to taskmasterd. `hello`
// is written as soon as the socket is created and the first request right
// behind it (no round trip of its own); every answer is checked against the
// hello before it is believed, and read against the command's schema, with
// the local codec: protobuf-es is not loaded by a local command.
import type { JsonObject } from '@bufbuild/protobuf';
import { createConnection, type Socket } from 'node:net';
import type { VersionResponse } from '../gen/taskmaster/v1/control_pb';
import type { Caller, InitOf, OutputOf, StreamCommand, UnaryCommand } from '../protocol/commands';
import { type ErrorInfo, TaskmasterError } from '../protocol/errors';
import { encodeLine, LineSplitter } from '../protocol/framing';
import { commandTypes, readMessage, WireShapeError, writeMessage } from '../protocol/local-codec';
import { MAX_REPLY_LINE_BYTES, PROTOCOL_VERSION } from '../protocol/messages';
import { parseServerMessage } from '../protocol/server-message';

type Answer = { ok: true; result: JsonObject } | { ok: false; error: ErrorInfo };
interface Pending {
  answer: (a: Answer) => void;
  fail: (e: TaskmasterError) => void;
  /** A streaming request's items, in the order they came. */
  item?: (json: JsonObject) => void;
}

const REASONS: Record<string, string> = {
  ENOENT: 'no socket at that path',
  ECONNREFUSED: 'connection refused',
  EACCES: 'permission denied',
  ENOTSOCK: 'not a socket',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
};

function reasonOf(err: NodeJS.ErrnoException): string {
  return err.code ? `${REASONS[err.code] ?? err.message} (${err.code})` : err.message;
}

function hintFor(err: NodeJS.ErrnoException): string {
  if (err.code === 'EACCES' || err.code === 'EPERM') {
    return 'this user may not use the socket: its owner and mode decide who may control taskmasterd (socket_owner, socket_mode)';
  }
  return 'is it running? is -c/-s right?';
}

interface Method {
  name: string;
  input: string;
  output: string;
}

function methodOf(cmd: string): Method {
  const types = commandTypes(cmd);
  if (!types) throw new Error(`BUG: no command ${cmd}`);
  return { name: cmd, input: types[0], output: types[1] };
}

/** A message the daemon sent, read back; a daemon that sends another shape is refused. */
function fromWire<T>(typeName: string, json: JsonObject, what: string): T {
  try {
    return readMessage(typeName, json) as T;
  } catch (err) {
    if (!(err instanceof WireShapeError)) throw err;
    throw new TaskmasterError('EBADREQUEST', `taskmasterd sent ${what} that does not fit the schema: ${err.message}`);
  }
}

export class Client implements Caller {
  private readonly socket: Socket;
  private readonly splitter = new LineSplitter(MAX_REPLY_LINE_BYTES);
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private connected = false;
  private failure: TaskmasterError | null = null;
  private helloError: TaskmasterError | null = null;
  private readonly hello: Promise<void>;

  /** `as`: on the gateway's socket only, the identity every request of this connection speaks for. */
  constructor(
    readonly path: string,
    private readonly options: { as?: string } = {},
  ) {
    this.socket = createConnection({ path });
    this.socket.on('connect', () => (this.connected = true));
    this.socket.on('data', (data: Buffer) => this.onData(data));
    this.socket.on('error', (err: NodeJS.ErrnoException) => {
      this.failure ??= this.connected
        ? new TaskmasterError('ECONNECT', `lost the connection to taskmasterd at ${path}: ${reasonOf(err)}`, { cause: err })
        : new TaskmasterError('ECONNECT', `cannot reach taskmasterd at ${path}: ${reasonOf(err)} (${hintFor(err)})`, { cause: err });
    });
    this.socket.on('close', () => {
      this.failure ??= new TaskmasterError('ECONNECT', `taskmasterd at ${path} closed the connection before answering`);
      for (const p of this.pending.values()) p.fail(this.failure);
      this.pending.clear();
    });
    this.hello = new Promise<void>((resolve, reject) => {
      this.pending.set(0, { answer: (a) => this.settleHello(a, resolve, reject), fail: reject });
    });
    this.hello.catch(() => {}); // awaited by every request; an unused client must not warn
    this.socket.write(encodeLine({ id: 0, cmd: 'hello', version: PROTOCOL_VERSION }));
  }

  async call<C extends UnaryCommand>(cmd: C, request: InitOf<C>): Promise<OutputOf<C>> {
    const method = methodOf(cmd);
    const answer = this.send(method, request, this.nextId++);
    answer.catch(() => {}); // surfaced below, after the hello, whose failure explains it better
    await this.hello;
    const a = await answer;
    if (!a.ok) throw new TaskmasterError(a.error.code, a.error.message);
    return fromWire<OutputOf<C>>(method.output, a.result, `a ${cmd} result`);
  }

  /**
   * The items in order; ends when the daemon ends the stream, when `signal`
   * aborts (the connection is closed: a follow ends so), or when the daemon
   * closes the connection after the stream began (it stopped, or dropped a
   * reader too slow for it). Throws the daemon's error, or ECONNECT when the
   * connection ends before any item.
   */
  async *stream<C extends StreamCommand>(cmd: C, request: InitOf<C>, signal?: AbortSignal): AsyncGenerator<OutputOf<C>> {
    const method = methodOf(cmd);
    if (signal?.aborted) return;
    const items: JsonObject[] = [];
    let end: Answer | TaskmasterError | null = null;
    let wake: (() => void) | null = null;
    const poke = (): void => {
      wake?.();
      wake = null;
    };
    const id = this.nextId++;
    const answer = this.send(method, request, id, (json) => (items.push(json), poke()));
    answer.then((a) => (end = a), (e: TaskmasterError) => (end = e)).finally(poke);
    const stop = (): void => {
      this.close();
      poke();
    };
    signal?.addEventListener('abort', stop, { once: true });
    let got = 0;
    try {
      await this.hello;
      for (;;) {
        if (signal?.aborted) return;
        const json = items.shift();
        if (json !== undefined) {
          got++;
          yield fromWire<OutputOf<C>>(method.output, json, `a ${cmd} item`);
          continue;
        }
        const last = end as Answer | TaskmasterError | null;
        if (last === null) {
          await new Promise<void>((resolve) => (wake = resolve));
          continue;
        }
        if (last instanceof TaskmasterError) {
          if (last.code === 'ECONNECT' && got > 0) return;
          throw last;
        }
        if (!last.ok) throw new TaskmasterError(last.error.code, last.error.message);
        return;
      }
    } finally {
      signal?.removeEventListener('abort', stop);
    }
  }

  close(): void {
    this.socket.destroy();
  }

  /** Checked synchronously, so an answer read in the same batch as a bad hello is already refused. */
  private settleHello(a: Answer, resolve: () => void, reject: (e: TaskmasterError) => void): void {
    if (!a.ok) {
      this.helloError = new TaskmasterError(a.error.code, a.error.message);
    } else {
      try {
        const info = fromWire<VersionResponse>('taskmaster.v1.VersionResponse', a.result, 'a hello result');
        if (info.protocol === PROTOCOL_VERSION) return resolve();
        this.helloError = new TaskmasterError(
          'EVERSION',
          `taskmasterd ${info.version} speaks protocol ${info.protocol}, taskmasterctl speaks ${PROTOCOL_VERSION}`,
        );
      } catch (e) {
        this.helloError = e as TaskmasterError;
      }
    }
    reject(this.helloError);
  }

  private send(method: Method, request: Record<string, unknown>, id: number, item?: (json: JsonObject) => void): Promise<Answer> {
    return new Promise<Answer>((answer, fail) => {
      if (this.failure) return fail(this.failure);
      this.pending.set(id, { answer, fail, ...(item ? { item } : {}) });
      const as = this.options.as === undefined ? {} : { as: this.options.as };
      this.socket.write(encodeLine({ id, cmd: method.name, ...as, ...writeMessage(method.input, request) }));
    });
  }

  private onData(data: Buffer): void {
    for (const piece of this.splitter.push(data)) {
      if (piece.kind === 'overflow') {
        return this.abandon(new TaskmasterError('EBADREQUEST', `taskmasterd sent a line of ${piece.bytes} bytes, over the limit`));
      }
      let msg;
      try {
        msg = parseServerMessage(piece.line);
      } catch (e) {
        return this.abandon(e as TaskmasterError);
      }
      // Nothing behind a failed hello is believed; the hello's error is what the caller sees.
      if (msg.id !== 0 && this.helloError) continue;
      const p = this.pending.get(msg.id);
      if (!p) continue;
      if ('item' in msg) {
        p.item?.(msg.item);
        continue;
      }
      this.pending.delete(msg.id);
      p.answer(msg);
    }
  }

  private abandon(e: TaskmasterError): void {
    this.failure ??= e;
    this.close();
  }
}
