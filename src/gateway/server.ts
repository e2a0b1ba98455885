// The gateway's listener: Node's HTTP/2 secure server, TLS 1.3 only, and the
// Connect handlers (gRPC, gRPC-Web and Connect/JSON from one set). HTTP/1.1
// is allowed for browsers' gRPC-Web and Connect. A client certificate is
// asked for but not required at the handshake: a client may instead send a
// bearer token with each request (peer.ts decides who calls, per request). A
// certificate presented that does not verify still ends the connection at
// once. A new settings line swaps the certificates in place (connections
// already up keep the context they were made with, new ones get the new one)
// and the tokens at once.
import { createSecureServer, type Http2SecureServer, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import type { SecureContextOptions, TLSSocket } from 'node:tls';
import { Code, ConnectError, createContextValues, type Interceptor } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { ErrorInfoSchema } from '../gen/taskmaster/v1/control_pb';
import { authenticate, PEER, type Peer, presentedCertificate, socketOf } from './peer';
import { type PlainContext, type PlainRequest, type PlainResponse, unauthenticated } from './plain-route';
import { PLAIN_ROUTES } from './plain-routes';
import { PeerAddresses, type Refusal, RefusalLog, refusalOf } from './refusals';
import { gatewayRoutes } from './routes';
import type { GatewaySettings } from './settings';
import { CLIENT_SIDE, type ClientSide, clientSideOf, type Stall } from './stall';
import { TokenGate } from './token-gate';

// Distinct (peer, reason) pairs remembered so as to log each once.
const REFUSALS_REMEMBERED = 4096;
// How long a checked token secret skips scrypt, and how many are remembered.
// A revoke does not wait for this: each request looks the token up anew.
const TOKEN_REMEMBER_MS = 5 * 60 * 1000;
const TOKENS_REMEMBERED = 1024;

/** Every rpc, Health's included, needs a caller: a certificate or a token. */
const refuseAnonymous: Interceptor = (next) => (req) => {
  const peer = req.contextValues.get(PEER);
  if (peer.ok) return next(req);
  throw new ConnectError(peer.why, Code.Unauthenticated, undefined, [{ desc: ErrorInfoSchema, value: { code: 'EUNAUTHENTICATED', message: peer.why } }]);
};

export interface Gateway {
  address(): AddressInfo;
  /** New certificates, CRL, identity rule or socket; listen is the daemon's to change (it restarts us). */
  update(settings: GatewaySettings): void;
  /** Stops accepting; resolves when every connection has ended. `now`: cut the streams still open. */
  close(now: boolean): Promise<void>;
}

function tlsOptions(s: GatewaySettings): SecureContextOptions {
  return { minVersion: 'TLSv1.3', cert: s.cert, key: s.key, ca: s.ca, ...(s.crl === null ? {} : { crl: s.crl }) };
}

export async function startGateway(first: GatewaySettings, onRefusal: (r: Refusal) => void, onStall: (s: Stall) => void): Promise<Gateway> {
  let settings = first;
  // connect-node gives contextValues the request alone; the stall watch needs the response too.
  const sides = new WeakMap<object, ClientSide>();
  const callers = new WeakMap<object, Peer>();
  const tokens = new TokenGate(() => Date.now(), TOKEN_REMEMBER_MS, TOKENS_REMEMBERED);
  tokens.update(first.tokens);
  const refusals = new RefusalLog(REFUSALS_REMEMBERED, onRefusal);
  const peers = new PeerAddresses();
  const connectHandler = connectNodeAdapter({
    // No compression either way (connect-node's default offers gzip and brotli): most of what the
    // gateway sends is job and program output, which it would gzip byte by byte for every client that
    // accepts it (grpc-js, Connect's own client, taskmasterctl) — gzip cost the gateway two to three
    // times the CPU of the rest of its work per MiB of incompressible output, and the client again to
    // inflate it. As ssh's default, the bytes go as they are; requests are small and need none.
    acceptCompression: [],
    routes: gatewayRoutes({ socket: () => settings.socket }, { timeoutMs: () => settings.stall_timeout * 1000, onStall }),
    interceptors: [refuseAnonymous],
    contextValues: (req) => createContextValues().set(PEER, callers.get(req) ?? PEER.defaultValue).set(CLIENT_SIDE, sides.get(req) ?? null),
  });
  const refuse = (req: PlainRequest, peer: Peer & { ok: false }): void => {
    const socket = socketOf(req);
    refusals.report({ peer: socket === null ? 'unknown' : peers.of(socket), code: peer.code, reason: peer.why });
  };
  const serve = (req: PlainRequest, res: PlainResponse, peer: Peer): void => {
    const ctx: PlainContext = {
      peer,
      settings,
      unauthenticated: (r) => {
        if (!peer.ok) refuse(req, peer);
        unauthenticated(r, peer);
      },
    };
    for (const route of PLAIN_ROUTES) if (route(req, res, ctx)) return;
    // Every rpc needs a caller (refuseAnonymous answers Unauthenticated); logged here, once per peer and reason.
    if (!peer.ok) refuse(req, peer);
    callers.set(req, peer);
    sides.set(req, clientSideOf(req, res));
    connectHandler(req, res);
  };
  const handler = (req: PlainRequest, res: PlainResponse): void => {
    authenticate(req, settings.identity, tokens).then(
      (peer) => serve(req, res, peer),
      (err: unknown) => {
        // scrypt failing (out of memory) is no answer about the caller: a server error, not a refusal.
        res.statusCode = 500;
        res.end(`cannot check the credentials: ${(err as Error).message}\n`);
      },
    );
  };
  const server: Http2SecureServer = createSecureServer({ ...tlsOptions(first), requestCert: true, rejectUnauthorized: false, allowHTTP1: true }, handler);
  server.on('connection', (raw: Socket) => peers.note(raw));
  server.on('tlsClientError', (err, socket) => refusals.report(refusalOf(err, socket, peers)));
  // A certificate that does not verify is refused with its connection, as
  // when the handshake required one: no request on it could be served.
  server.on('secureConnection', (socket: TLSSocket) => {
    if (socket.authorized || !presentedCertificate(socket)) return;
    refusals.report(refusalOf(new Error('client certificate refused'), socket, peers));
    socket.destroy();
  });
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (session: ServerHttp2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  const sockets = new Set<TLSSocket>();
  server.on('secureConnection', (socket: TLSSocket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(first.listen.port, first.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    address: () => server.address() as AddressInfo,
    update(next) {
      // Throws on material Node refuses; the daemon checked it when it loaded the config.
      server.setSecureContext(tlsOptions(next));
      settings = next;
      tokens.update(next.tokens);
    },
    close(now) {
      const closed = new Promise<void>((r) => server.close(() => r()));
      if (now) for (const s of sockets) s.destroy();
      // HTTP/2: GOAWAY, no new streams, those open finish. HTTP/1.1: the
      // connection ends after the response under way.
      else for (const s of sockets) if (s.alpnProtocol !== 'h2') s.end();
      for (const s of sessions) s.close();
      return closed;
    },
  };
}
