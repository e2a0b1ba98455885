// One client connection: framing, the hello handshake, who is asking, the
// right to each command, dispatch, and back-pressure. A client that breaks
// the protocol gets one coded error and is disconnected; nothing it sends can
// throw out of here. A refused right is an answer, not a disconnection.
import type { Socket } from 'node:net';
import { authorize } from '../authz/rights';
import { type Identity, LOCAL_IDENTITY } from '../authz/identity';
import { VersionResponseSchema } from '../gen/taskmaster/v1/control_pb';
import { COMMANDS } from '../protocol/commands';
import { type ErrorInfo, shown, TaskmasterError } from '../protocol/errors';
import { encodeLine, LineSplitter } from '../protocol/framing';
import { MAX_LINE_BYTES, PROTOCOL_VERSION } from '../protocol/messages';
import { type CommandRequest, parseRequest, type Request, toWire } from '../protocol/wire';
import type { DaemonControl } from './control';
import type { Stream, StreamHandler, UnaryHandler } from './handler-types';
import { HANDLERS } from './handlers';

// A follower that reads slower than its log grows is dropped rather than
// let the daemon buffer without bound.
const MAX_PENDING_OUTPUT = 16 * 1024 * 1024;

/**
 * The local socket: its peer is LOCAL_IDENTITY, and a request naming another
 * (`as`) is refused. The gateway's socket: every request names the identity
 * the gateway authenticated, looked up here; an unknown one is EPERM (a
 * lookup may refuse with its own error: a revoked token's EUNAUTHENTICATED).
 */
export type ServeOptions = { gateway: false } | { gateway: true; identityOf: (name: string) => Identity | ErrorInfo | null };

export const LOCAL_SOCKET: ServeOptions = { gateway: false };

export function serveConnection(socket: Socket, ctl: DaemonControl, options: ServeOptions = LOCAL_SOCKET): void {
  const splitter = new LineSplitter(MAX_LINE_BYTES);
  const left = new AbortController();
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
  const drained = (): Promise<void> => {
    if (closed || !socket.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
    });
  };
  // Requests dispatched and not yet answered. The refusal of a bad line
  // waits for them: a client that pipelined gets every answer it was owed,
  // then the error, then the hang-up. A follow is owed nothing more than
  // what it sent at once: it would never end, so it is not waited for.
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
      if (req.cmd === 'hello') {
        if (!greeted && req.version !== PROTOCOL_VERSION) {
          return refuse(req.id, { code: 'EVERSION', message: `protocol version ${req.version} not supported; taskmasterd speaks ${PROTOCOL_VERSION}` });
        }
        greeted = true;
        send({ id: req.id, ok: true, result: toWire(VersionResponseSchema, { version: ctl.version, protocol: PROTOCOL_VERSION }) });
        continue;
      }
      if (!greeted) return refuse(req.id, { code: 'EVERSION', message: 'send hello with the protocol version first' });
      if (options.gateway && req.as === null) return refuse(req.id, { code: 'EBADREQUEST', message: `field "as" is required on the gateway's socket` });
      if (!options.gateway && req.as !== null) return refuse(req.id, { code: 'EBADREQUEST', message: `field "as" is only for the gateway's socket` });
      const answered = dispatch(req);
      if (!follows(req)) {
        inFlight.add(answered);
        void answered.then(() => inFlight.delete(answered));
      }
    }
  });

  // Who the request speaks for: the local peer, or the identity the gateway
  // names (`as` is there on the gateway's socket: checked before dispatch).
  const identityFor = (as: string | null): Identity | ErrorInfo => {
    if (!options.gateway) return LOCAL_IDENTITY;
    // Fail closed: never the local peer's rights for a gateway request.
    if (as === null) throw new Error('BUG: a gateway request without "as" reached dispatch');
    return options.identityOf(as) ?? { code: 'EPERM', message: `unknown identity ${/^[\w.@-]{1,80}$/.test(as) ? as : shown(as)}` };
  };

  const fail = (req: CommandRequest, err: unknown): void => {
    const info = toInfo(err);
    if (info.code === 'EINTERNAL') ctl.log.error({ cmd: req.cmd, err: (err as Error).stack }, `BUG while handling ${req.cmd}`);
    send({ id: req.id, ok: false, error: info });
  };

  // Never rejects: every outcome becomes an answer.
  const dispatch = async (req: CommandRequest): Promise<void> => {
    const method = COMMANDS.get(req.cmd)!;
    try {
      const identity = identityFor(req.as);
      const denied = 'code' in identity ? identity : authorize(identity, req.cmd);
      if (denied !== null) {
        ctl.log.warn({ cmd: req.cmd, as: req.as, code: denied.code }, `refused: ${denied.message}`);
        return send({ id: req.id, ok: false, error: denied });
      }
      // The table is typed per command; here one request of any command is
      // handled, so its handler is called through the widest signature.
      if (method.methodKind === 'unary') {
        const handler = HANDLERS[req.cmd] as UnaryHandler<never>;
        const result = await handler(ctl, identity as Identity, req.input as never);
        send({ id: req.id, ok: true, result: toWire(method.output, result) });
      } else {
        const out: Stream<never> = {
          send: (item) => send({ id: req.id, item: toWire(method.output, item) }),
          drained,
          closed: left.signal,
        };
        const handler = HANDLERS[req.cmd] as StreamHandler<never>;
        await handler(ctl, identity as Identity, req.input as never, out);
        send({ id: req.id, ok: true, result: {} });
      }
    } catch (err) {
      fail(req, err);
    }
  };

  const finish = (): void => {
    closed = true;
    left.abort();
  };
  socket.on('close', finish);
  socket.on('error', (err) => {
    ctl.log.debug({ err: err.message }, 'client connection error');
    finish();
  });
}

/** A follow (tail -f, logs -f) ends only when the client leaves; an attach (fg) when the process ends too. */
function follows(req: CommandRequest): boolean {
  return req.cmd === 'attach' || (req.input as { follow?: unknown }).follow === true;
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
