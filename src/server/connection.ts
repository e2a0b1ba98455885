// One client connection: framing, the hello handshake, dispatch, and
// back-pressure. A client that breaks the protocol gets one coded error and
// is disconnected; nothing it sends can throw out of here.
import type { Socket } from 'node:net';
import { type ErrorInfo, TaskmasterError } from '../protocol/errors';
import { encodeLine, LineSplitter } from '../protocol/framing';
import { MAX_LINE_BYTES, PROTOCOL_VERSION, type Request } from '../protocol/messages';
import { parseRequest } from '../protocol/validate';
import type { DaemonControl } from './control';
import { HANDLERS, type StreamSink } from './handlers';

// A follower that reads slower than its log grows is dropped rather than
// let the daemon buffer without bound.
const MAX_PENDING_OUTPUT = 16 * 1024 * 1024;

export function serveConnection(socket: Socket, ctl: DaemonControl): void {
  const splitter = new LineSplitter(MAX_LINE_BYTES);
  const cleanups: (() => void)[] = [];
  let greeted = false;
  let closed = false;

  const send = (message: unknown): void => {
    if (closed) return;
    socket.write(encodeLine(message));
    if (socket.writableLength > MAX_PENDING_OUTPUT) {
      ctl.log.warn({ pending: socket.writableLength }, 'client too slow to read; disconnected');
      socket.destroy();
    }
  };
  // Requests dispatched and not yet answered. The refusal of a bad line
  // waits for them: a client that pipelined gets every answer it was owed,
  // then the error, then the hang-up.
  const inFlight = new Set<Promise<void>>();
  let reading = true;
  const refuse = (id: number, error: ErrorInfo): void => {
    ctl.log.warn({ code: error.code, err: error.message }, `client error: ${error.message}`);
    reading = false;
    void Promise.all(inFlight).then(() => {
      send({ id, ok: false, error });
      closed = true;
      socket.end();
    });
  };

  socket.on('data', (chunk: Buffer) => {
    if (!reading || closed) return;
    for (const piece of splitter.push(chunk)) {
      if (!reading || closed) return;
      if (piece.kind === 'overflow') {
        refuse(0, { code: 'ETOOLARGE', message: `request line longer than ${MAX_LINE_BYTES} bytes` });
        return;
      }
      if (piece.line.trim() === '') continue;
      let req: Request;
      try {
        req = parseRequest(piece.line);
      } catch (err) {
        refuse(idOf(piece.line), toInfo(err));
        return;
      }
      if (!greeted) {
        if (req.cmd !== 'hello') return refuse(req.id, { code: 'EVERSION', message: 'send hello with the protocol version first' });
        if (req.version !== PROTOCOL_VERSION) {
          return refuse(req.id, { code: 'EVERSION', message: `protocol version ${req.version} not supported; taskmasterd speaks ${PROTOCOL_VERSION}` });
        }
        greeted = true;
      }
      const answered = dispatch(req);
      inFlight.add(answered);
      void answered.then(() => inFlight.delete(answered));
    }
  });

  // Never rejects: every outcome becomes a Response.
  const dispatch = async (req: Request): Promise<void> => {
    const streamSink: StreamSink = {
      send: (chunk) => send({ id: req.id, chunk }),
      onClose: (cleanup) => (closed ? cleanup() : cleanups.push(cleanup)),
    };
    try {
      const handler = HANDLERS[req.cmd] as (c: DaemonControl, r: Request, s: StreamSink) => unknown;
      const result = await handler(ctl, req, streamSink);
      send({ id: req.id, ok: true, result });
    } catch (err) {
      const info = toInfo(err);
      if (info.code === 'EINTERNAL') ctl.log.error({ cmd: req.cmd, err: (err as Error).stack }, `BUG while handling ${req.cmd}`);
      send({ id: req.id, ok: false, error: info });
    }
  };

  const finish = (): void => {
    closed = true;
    for (const c of cleanups.splice(0)) c();
  };
  socket.on('close', finish);
  socket.on('error', (err) => {
    ctl.log.debug({ err: err.message }, 'client connection error');
    finish();
  });
}

function toInfo(err: unknown): ErrorInfo {
  if (err instanceof TaskmasterError) return err.toInfo();
  return { code: 'EINTERNAL', message: `internal error: ${(err as Error)?.message ?? String(err)}` };
}

/**
 * The id of a request we could not parse, when it has one, so the client can
 * match the error. Only an id the protocol allows is echoed: a reply with id
 * 1e30 or 2^53 would itself break the protocol, and the CLI would reject it.
 */
function idOf(line: string): number {
  const m = /"id"\s*:\s*(\d+)(?![\d.eE])/.exec(line);
  const id = m ? Number(m[1]) : 0;
  return Number.isSafeInteger(id) ? id : 0;
}
