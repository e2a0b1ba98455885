// The gateway's listener: Node's HTTP/2 secure server, TLS 1.3 only, a
// client certificate signed by client_ca required at the handshake, and the
// Connect handlers (gRPC, gRPC-Web and Connect/JSON from one set). HTTP/1.1
// is allowed for browsers' gRPC-Web and Connect. A new settings line swaps
// the certificates in place: connections already up keep the context they
// were made with, new ones get the new one.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSecureServer, type Http2SecureServer, type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import type { SecureContextOptions, TLSSocket } from 'node:tls';
import { createContextValues } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { PEER, peerOfRequest } from './peer';
import { PLAIN_ROUTES } from './plain-routes';
import { PeerAddresses, type Refusal, RefusalLog, refusalOf } from './refusals';
import { gatewayRoutes } from './routes';
import type { GatewaySettings } from './settings';
import { CLIENT_SIDE, type ClientSide, clientSideOf, type Stall } from './stall';

// Distinct (peer, reason) pairs remembered so as to log each once.
const REFUSALS_REMEMBERED = 4096;

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
  const connectHandler = connectNodeAdapter({
    routes: gatewayRoutes({ socket: () => settings.socket }, { timeoutMs: () => settings.stall_timeout * 1000, onStall }),
    contextValues: (req) => createContextValues().set(PEER, peerOfRequest(req, settings.identity)).set(CLIENT_SIDE, sides.get(req) ?? null),
  });
  const handler = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): void => {
    const ctx = { peer: peerOfRequest(req, settings.identity), settings };
    for (const route of PLAIN_ROUTES) if (route(req, res, ctx)) return;
    sides.set(req, clientSideOf(req, res));
    connectHandler(req, res);
  };
  const server: Http2SecureServer = createSecureServer({ ...tlsOptions(first), requestCert: true, rejectUnauthorized: true, allowHTTP1: true }, handler);
  const refusals = new RefusalLog(REFUSALS_REMEMBERED, onRefusal);
  const peers = new PeerAddresses();
  server.on('connection', (raw: Socket) => peers.note(raw));
  server.on('tlsClientError', (err, socket) => refusals.report(refusalOf(err, socket, peers)));
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
