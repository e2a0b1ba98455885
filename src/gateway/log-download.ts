// GET /logs/NAME/STREAM?as=…&exp=…&sig=…: the download behind a log link
// (`taskmasterctl http`). The link is the only credential: no client
// certificate or token is looked at. A link that is altered, expired or
// signed with another key (a daemon since restarted) gets one and the same
// 403, which says nothing about why. The gateway cannot read log files: it
// asks the daemon for the whole live file (`tail` with `whole`) as the
// link's identity, and streams it on as the daemon sends it, never holding
// more than a few chunks.
import { constants } from 'node:http2';
import { Code, ConnectError } from '@connectrpc/connect';
import { checkLink, LINK_PATH_PREFIX } from '../protocol/log-link';
import type { PlainRequest, PlainResponse, PlainRoute } from './plain-route';
import type { GatewaySettings } from './settings';
import { callDaemon } from './upstream';

const REFUSED = 'this log link is not valid: it has expired or was altered; ask for a new one (taskmasterctl http)\n';

export const logDownloadRoute: PlainRoute = (req, res, ctx) => {
  if (!(req.url ?? '').startsWith(LINK_PATH_PREFIX)) return false;
  serveDownload(req, res, ctx.settings).catch(() => cut(res));
  return true;
};

function answer(res: PlainResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

/** Ends a response whose headers are out: the client must see a broken download, not a short file. */
function cut(res: PlainResponse): void {
  if (!res.headersSent) return answer(res, 500, 'the download failed\n');
  if ('stream' in res) res.stream.close(constants.NGHTTP2_INTERNAL_ERROR);
  else res.destroy();
}

/** A filename any browser and shell takes as is: `prog_00.stdout.log`. */
export function downloadName(name: string, stream: string): string {
  return `${name.replace(/[^\w.-]/g, '_')}.${stream}.log`;
}

const STATUS_OF: Partial<Record<Code, number>> = {
  [Code.NotFound]: 404,
  [Code.PermissionDenied]: 403,
  [Code.Unauthenticated]: 403,
  [Code.Unavailable]: 503,
  [Code.FailedPrecondition]: 409,
};

async function serveDownload(req: PlainRequest, res: PlainResponse, settings: GatewaySettings): Promise<void> {
  if (req.method !== 'GET') return answer(res, 405, 'a log link is for GET only\n', { allow: 'GET' });
  const checked = checkLink(Buffer.from(settings.link_key, 'base64'), 'GET', req.url ?? '', Date.now());
  if (!checked.ok) return answer(res, 403, REFUSED);
  const { link } = checked;
  const gone = new AbortController();
  res.once('close', () => gone.abort());
  const request = { cmd: 'tail', as: link.as, name: link.name, stream: link.stream === 'stderr' ? 'OUTPUT_STREAM_STDERR' : 'OUTPUT_STREAM_STDOUT', whole: true };
  const items = callDaemon(settings.socket, request, gone.signal);
  try {
    for await (const item of items) {
      if (!res.headersSent) {
        res.writeHead(200, {
          'content-type': 'text/plain; charset=utf-8',
          'content-disposition': `attachment; filename="${downloadName(link.name, link.stream)}"`,
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
        });
      }
      const data = (item as { data?: unknown }).data;
      if (typeof data !== 'string' || data === '') continue;
      // Both response kinds take a string; TypeScript cannot call the union's overloads.
      if (!(res as { write(chunk: string): boolean }).write(data)) await drainedOrGone(res, gone.signal);
      if (gone.signal.aborted) return;
    }
  } catch (err) {
    if (gone.signal.aborted) return;
    if (res.headersSent) return cut(res);
    const e = err instanceof ConnectError ? err : new ConnectError(String(err), Code.Internal);
    return answer(res, STATUS_OF[e.code] ?? 500, `${e.rawMessage}\n`);
  }
  if (!res.headersSent) answer(res, 200, '', { 'content-disposition': `attachment; filename="${downloadName(link.name, link.stream)}"` });
  else res.end();
}

function drainedOrGone(res: PlainResponse, gone: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      gone.removeEventListener('abort', done);
      resolve();
    };
    res.once('drain', done);
    gone.addEventListener('abort', done, { once: true });
  });
}
