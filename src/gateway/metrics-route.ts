// GET /metrics: the daemon's metrics command, asked as the caller, served as
// Prometheus scrapes it. Plain HTTP, not Connect: a scraper sends a GET and
// reads text. Who may read them is the daemon's to decide (the read right),
// as for every call: no caller is 401, a caller without the right 403.
import { Code, ConnectError } from '@connectrpc/connect';
import type { PlainContext, PlainRequest, PlainResponse, PlainRoute } from './plain-route';
import { callDaemon } from './upstream';

export const METRICS_PATH = '/metrics';

/** How the route reaches the daemon: upstream.ts's callDaemon, or a stand-in in tests. */
export type DaemonCall = (path: string, request: Record<string, unknown>, signal: AbortSignal) => AsyncGenerator<unknown, unknown>;

// What a refusal or failure from the daemon becomes; anything else is the gateway's own 500.
const HTTP_STATUS_OF: Partial<Record<Code, number>> = {
  [Code.Unauthenticated]: 401,
  [Code.PermissionDenied]: 403,
  [Code.Unavailable]: 503,
};

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const plain = (status: number, message: string, headers: Record<string, string> = {}): Answer => ({
  status,
  headers: { 'content-type': 'text/plain; charset=utf-8', ...headers },
  body: `${message}\n`,
});

/** The answer to a GET of /metrics by the caller `as`. */
export async function metricsAnswer(ctx: PlainContext, as: string, call: DaemonCall, signal: AbortSignal): Promise<Answer> {
  try {
    const answer = call(ctx.settings.socket, { cmd: 'metrics', as }, signal);
    let next = await answer.next();
    while (next.done !== true) next = await answer.next();
    const result = (next.value ?? {}) as { text?: unknown; content_type?: unknown };
    if (typeof result.text !== 'string' || typeof result.content_type !== 'string') return plain(500, 'the daemon answered metrics without text and content_type');
    return { status: 200, headers: { 'content-type': result.content_type, 'cache-control': 'no-store' }, body: result.text };
  } catch (err) {
    const e = ConnectError.from(err);
    return plain(HTTP_STATUS_OF[e.code] ?? 500, e.rawMessage);
  }
}

/** The route, calling the daemon through `call`. */
export function metricsRoute(call: DaemonCall = callDaemon): PlainRoute {
  return (req, res, ctx) => {
    if (pathOf(req) !== METRICS_PATH) return false;
    void serve(req, res, ctx, call);
    return true;
  };
}

function pathOf(req: PlainRequest): string {
  const url = req.url ?? '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

async function serve(req: PlainRequest, res: PlainResponse, ctx: PlainContext, call: DaemonCall): Promise<void> {
  const out = res as { writeHead(status: number, headers: Record<string, string>): unknown; end(body?: string): unknown; once(event: 'close', l: () => void): unknown };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const a = plain(405, `${METRICS_PATH} answers GET and HEAD`, { allow: 'GET, HEAD' });
    out.writeHead(a.status, a.headers);
    out.end(a.body);
    return;
  }
  // A scraper that sent no credentials learns which kind it may send (401 with a challenge).
  if (!ctx.peer.ok) {
    ctx.unauthenticated(res);
    return;
  }
  // The scraper hung up (its scrape_timeout): the daemon's call goes with it.
  const gone = new AbortController();
  out.once('close', () => gone.abort());
  const a = await metricsAnswer(ctx, ctx.peer.name, call, gone.signal);
  if (gone.signal.aborted) return;
  out.writeHead(a.status, a.headers);
  out.end(req.method === 'HEAD' ? undefined : a.body);
}
