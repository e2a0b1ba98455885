// The gateway's one way into the daemon: its gateway socket, speaking the
// local protocol (newline-delimited JSON, hello first) with `as` naming the
// caller. One connection per call: closing it is how a call is cancelled
// when the remote client goes away, and a follow holds its own connection
// as long as it lasts.
import { connect } from 'node:net';
import { Code, ConnectError } from '@connectrpc/connect';
import { ErrorInfoSchema } from '../gen/taskmaster/v1/control_pb';
import { GRPC_CODE_OF, isErrorCode } from '../protocol/errors';
import { encodeLine, LineSplitter } from '../protocol/framing';
import { PROTOCOL_VERSION } from '../protocol/messages';

// An answer line (a tail's chunk, a status of many programs) may be far longer than a request.
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;
// Lines read from the daemon and not yet sent on: past this, stop reading and
// let the socket's own back-pressure reach the daemon.
const MAX_QUEUED = 64;

type Answer = Record<string, unknown>;

/** Where the daemon is: its gateway socket, as the latest settings line names it. */
export interface Upstream {
  socket(): string;
}

/** A coded error from the daemon as the remote client sees it: the gRPC status, and the code in an ErrorInfo detail. */
export function daemonError(error: unknown): ConnectError {
  const e = (error ?? {}) as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : 'EINTERNAL';
  const message = typeof e.message === 'string' ? e.message : 'the daemon refused the request';
  const status = isErrorCode(code) ? Code[GRPC_CODE_OF[code]] : Code.Internal;
  return new ConnectError(message, status, undefined, [{ desc: ErrorInfoSchema, value: { code, message } }]);
}

function unavailable(message: string): ConnectError {
  return new ConnectError(message, Code.Unavailable, undefined, [{ desc: ErrorInfoSchema, value: { code: 'ECONNECT', message } }]);
}

/**
 * Sends one request (`{cmd, as, …fields}`) and yields the items of its answer
 * (for a streaming command); returns the final result. Throws ConnectError:
 * the daemon's coded error, or Unavailable when it cannot be reached or hangs
 * up before the end. `signal` (the remote call ending) closes the connection.
 */
export async function* callDaemon(path: string, request: Answer, signal: AbortSignal): AsyncGenerator<unknown, unknown> {
  const socket = connect(path);
  const splitter = new LineSplitter(MAX_ANSWER_BYTES);
  const queue: Answer[] = [];
  let failure: ConnectError | null = null;
  let closed = false;
  let wake = (): void => undefined;

  socket.on('data', (chunk: Buffer) => {
    for (const piece of splitter.push(chunk)) {
      if (piece.kind === 'overflow') failure ??= new ConnectError(`the daemon sent an answer line over ${MAX_ANSWER_BYTES} bytes`, Code.Internal);
      else if (piece.line.trim() !== '') {
        try {
          queue.push(JSON.parse(piece.line) as Answer);
        } catch {
          failure ??= new ConnectError('the daemon sent a line that is not JSON', Code.Internal);
        }
      }
    }
    if (queue.length >= MAX_QUEUED) socket.pause();
    wake();
  });
  socket.on('error', (err) => {
    failure ??= unavailable(`cannot reach taskmasterd on ${path}: ${err.message}`);
    wake();
  });
  socket.on('close', () => {
    closed = true;
    wake();
  });
  const hangUp = (): void => void socket.destroy();
  signal.addEventListener('abort', hangUp, { once: true });
  socket.write(encodeLine({ id: 0, cmd: 'hello', version: PROTOCOL_VERSION }) + encodeLine({ ...request, id: 1 }));
  try {
    for (;;) {
      const msg = queue.shift();
      if (msg === undefined) {
        if (failure !== null) throw failure;
        if (closed) throw unavailable('taskmasterd closed the connection before it answered');
        socket.resume();
        await new Promise<void>((r) => (wake = r));
        continue;
      }
      if (msg.id === 0 && msg.ok === false) throw daemonError(msg.error);
      if (msg.id !== 1) continue; // hello's answer
      if ('item' in msg) yield msg.item;
      else if (msg.ok === true) return msg.result;
      else throw daemonError(msg.error);
    }
  } finally {
    signal.removeEventListener('abort', hangUp);
    socket.destroy();
  }
}
