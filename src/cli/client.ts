// One connection to taskmasterd. `hello` is written as soon as the socket is
// created and the first request right behind it (no round trip of its own);
// every answer is checked against the hello before it is believed.
import { createConnection, type Socket } from 'node:net';
import { TaskmasterError } from '../protocol/errors';
import { encodeLine, LineSplitter } from '../protocol/framing';
import {
  MAX_REPLY_LINE_BYTES,
  PROTOCOL_VERSION,
  type CommandName,
  type Request,
  type Response,
  type ResultOf,
  type VersionInfo,
} from '../protocol/messages';
import { parseServerMessage } from '../protocol/validate';
import type { Interrupt } from './interrupt';

/** A request without its id, which the client assigns. */
export type RequestBody = Request extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

type Waiter = { answer: (res: Response) => void; fail: (e: TaskmasterError) => void };

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

export class Client {
  private readonly socket: Socket;
  private readonly splitter = new LineSplitter(MAX_REPLY_LINE_BYTES);
  private readonly waiting = new Map<number, Waiter>();
  private readonly streams = new Map<number, { result: (r: unknown) => void; chunk: (s: string) => void }>();
  private readonly followers = new Map<number, (chunk: string) => void>();
  private nextId = 1;
  private connected = false;
  private failure: TaskmasterError | null = null;
  private helloError: TaskmasterError | null = null;
  private readonly hello: Promise<VersionInfo>;
  private markEnded!: () => void;
  /** Settles when the connection is gone, for whatever reason. */
  readonly ended = new Promise<void>((resolve) => (this.markEnded = resolve));

  constructor(readonly path: string) {
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
      for (const w of this.waiting.values()) w.fail(this.failure);
      this.waiting.clear();
      this.markEnded();
    });
    this.hello = new Promise<VersionInfo>((resolve, reject) => {
      this.waiting.set(0, { answer: (res) => this.settleHello(res, resolve, reject), fail: reject });
    });
    this.hello.catch(() => {}); // awaited by every request; an unused client must not warn
    this.socket.write(encodeLine({ id: 0, cmd: 'hello', version: PROTOCOL_VERSION }));
  }

  /** Sends one request; resolves with the daemon's Response, error responses included. */
  async request<C extends CommandName>(body: RequestBody & { cmd: C }): Promise<Response<C>> {
    const answer = this.send(body, this.nextId++);
    answer.catch(() => {}); // surfaced below, after the hello, whose failure explains it better
    await this.hello;
    return answer as Promise<Response<C>>;
  }

  /** Like request, but an error response is thrown as a TaskmasterError. */
  async call<C extends CommandName>(body: RequestBody & { cmd: C }): Promise<ResultOf[C]> {
    const res: Response<C> = await this.request<C>(body);
    if (!res.ok) throw new TaskmasterError(res.error.code, res.error.message);
    return res.result;
  }

  /**
   * A following request (tail/maintail with follow): `result` gets the Response,
   * then `chunk` every Chunk, both in the order they arrived. Resolves when the
   * daemon ends the connection or `interrupt` aborts; rejects if the request fails.
   */
  stream<C extends 'tail' | 'maintail'>(
    body: RequestBody & { cmd: C },
    on: { result: (r: ResultOf[C]) => void; chunk: (s: string) => void },
    interrupt?: Interrupt,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (interrupt?.aborted) return resolve();
      const id = this.nextId++;
      const done = interrupt?.onAbort(() => {
        this.close();
        resolve();
      }) ?? (() => {});
      this.streams.set(id, { result: on.result as (r: unknown) => void, chunk: on.chunk });
      this.hello.catch((e: TaskmasterError) => (done(), reject(e)));
      this.send(body, id).then(
        (res) => {
          if (!res.ok) return done(), reject(new TaskmasterError(res.error.code, res.error.message));
          void this.ended.then(() => (done(), resolve()));
        },
        (e: TaskmasterError) => (done(), reject(e)),
      );
    });
  }

  close(): void {
    this.socket.destroy();
  }

  /** Checked synchronously, so an answer read in the same batch as a bad hello is already refused. */
  private settleHello(res: Response, resolve: (v: VersionInfo) => void, reject: (e: TaskmasterError) => void): void {
    if (!res.ok) {
      this.helloError = new TaskmasterError(res.error.code, res.error.message);
    } else {
      const info = res.result as VersionInfo;
      if (info.protocol === PROTOCOL_VERSION) return resolve(info);
      this.helloError = new TaskmasterError(
        'EVERSION',
        `taskmasterd ${info.version} speaks protocol ${info.protocol}, taskmasterctl speaks ${PROTOCOL_VERSION}`,
      );
    }
    reject(this.helloError);
  }

  private send(body: RequestBody, id: number): Promise<Response> {
    return new Promise<Response>((answer, fail) => {
      if (this.failure) return fail(this.failure);
      this.waiting.set(id, { answer, fail });
      this.socket.write(encodeLine({ id, ...body }));
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
      if ('chunk' in msg) {
        this.followers.get(msg.id)?.(msg.chunk);
        continue;
      }
      const waiter = this.waiting.get(msg.id);
      if (!waiter) continue;
      this.waiting.delete(msg.id);
      // Answers behind a failed hello are not believed; the hello's error is what the caller sees.
      if (msg.id !== 0 && this.helloError) continue;
      const stream = this.streams.get(msg.id);
      if (stream && msg.ok) {
        // Synchronously, so the initial data is written before chunks read in this same batch.
        stream.result(msg.result);
        this.followers.set(msg.id, stream.chunk);
      }
      waiter.answer(msg);
    }
  }

  private abandon(e: TaskmasterError): void {
    this.failure ??= e;
    this.close();
  }
}
