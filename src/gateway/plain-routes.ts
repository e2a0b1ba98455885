// What the gateway answers itself, beside the rpcs: plain HTTP requests such
// as the web view's files, /metrics and log downloads. Each route looks at a
// request and either answers it (true) or leaves it to the next (false); the
// Connect handler takes whatever no route took. A route decides its own
// access: the peer says who is calling, if anyone.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { logDownloadRoute } from './log-download';
import type { Peer } from './peer';
import type { GatewaySettings } from './settings';

export type PlainRequest = IncomingMessage | Http2ServerRequest;
export type PlainResponse = ServerResponse | Http2ServerResponse;

export interface PlainContext {
  /** Who is calling, from the client certificate (or a token). */
  peer: Peer;
  settings: GatewaySettings;
}

export type PlainRoute = (req: PlainRequest, res: PlainResponse, ctx: PlainContext) => boolean;

/** Tried in order. */
export const PLAIN_ROUTES: readonly PlainRoute[] = [logDownloadRoute];
