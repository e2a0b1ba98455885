// The shape of a plain route: what the gateway answers itself, beside the
// rpcs (the web view's files, /metrics, log downloads). A route looks at a
// request and either answers it (true) or leaves it to the next (false); the
// Connect handler takes whatever no route took. A route decides its own
// access: the peer says who is calling, if anyone.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Peer } from './peer';
import type { GatewaySettings } from './settings';

export type PlainRequest = IncomingMessage | Http2ServerRequest;
export type PlainResponse = ServerResponse | Http2ServerResponse;

export interface PlainContext {
  /** Who is calling: a verified client certificate's name, or a token's (peer.ts); not ok: nobody, and why. */
  peer: Peer;
  settings: GatewaySettings;
  /** For a route that needs a caller and has none: answers 401 (with why) and logs the refusal once per peer and reason. */
  unauthenticated(res: PlainResponse): void;
}

export type PlainRoute = (req: PlainRequest, res: PlainResponse, ctx: PlainContext) => boolean;

/** 401 with a WWW-Authenticate challenge (RFC 6750) and the reason; `peer` never holds a secret. */
export function unauthenticated(res: PlainResponse, peer: Peer): void {
  const why = peer.ok ? 'unauthenticated' : peer.why;
  res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer realm="taskmaster"' });
  res.end(`${why}\n`);
}
