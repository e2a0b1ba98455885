// The web view's files (src/web/, built by packaging/web-build.mjs into one
// asset of the executable): GET or HEAD of `/` and of the script and style
// sheet it names. Served to anyone — they hold no data; the rpcs the page
// makes are what need an identity. The script and style sheet are named by
// their hash and kept by browsers for good; the page is revalidated on each
// load (ETag), so a new build is picked up at once.
import { gzipSync } from 'node:zlib';
import { readAsset } from '../asset-bundle';
import type { PlainRequest, PlainResponse, PlainRoute } from './plain-route';

export const WEB_ASSET = 'taskmaster-web.json';

interface WebFile {
  type: string;
  immutable: boolean;
  etag: string;
  body: Buffer;
  /** The body gzipped, made once: the script is 160 KB, a third of that gzipped, which a phone notices. */
  gzipped: Buffer;
}

type Files = { ok: true; files: ReadonlyMap<string, WebFile> } | { ok: false; why: string };

// script-src 'self': no inline script, no eval, nothing from elsewhere; the
// page talks to its own origin only and cannot be framed.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** The files of an asset as web-build.mjs writes it. */
export function parseWebFiles(json: string): Files {
  try {
    const raw = JSON.parse(json) as { files: Record<string, Omit<WebFile, 'body' | 'gzipped'> & { body: string }> };
    const files = new Map<string, WebFile>();
    for (const [path, f] of Object.entries(raw.files)) {
      const body = Buffer.from(f.body, 'base64');
      files.set(path, { ...f, body, gzipped: gzipSync(body) });
    }
    return files.has('/') ? { ok: true, files } : { ok: false, why: `${WEB_ASSET} has no page` };
  } catch (err) {
    return { ok: false, why: `${WEB_ASSET}: ${(err as Error).message}` };
  }
}

function send(res: PlainResponse, status: number, headers: Record<string, string>, body: Buffer | string | null): void {
  res.writeHead(status, { ...SECURITY_HEADERS, ...headers });
  if (body === null) res.end();
  else res.end(body);
}

/** A route that serves `files`; read once, on the first request for a file (a gateway nobody browses never reads it). */
export function webFilesRoute(load: () => Files): PlainRoute {
  let files: Files | null = null;
  return (req: PlainRequest, res: PlainResponse): boolean => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = (req.url ?? '/').split('?')[0]!;
    files ??= load();
    if (!files.ok) {
      if (path !== '/') return false;
      send(res, 503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, `web view not available: ${files.why}\n`);
      return true;
    }
    const file = files.files.get(path);
    if (file === undefined) return false;
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? file.gzipped : file.body;
    const headers: Record<string, string> = {
      'content-type': file.type,
      etag: file.etag,
      'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      vary: 'accept-encoding',
    };
    if (req.headers['if-none-match'] === file.etag) {
      send(res, 304, headers, null);
    } else {
      if (gzip) headers['content-encoding'] = 'gzip';
      send(res, 200, { ...headers, 'content-length': String(body.length) }, req.method === 'HEAD' ? null : body);
    }
    return true;
  };
}

export const WEB_FILES: PlainRoute = webFilesRoute(() => {
  try {
    return parseWebFiles(readAsset(WEB_ASSET).toString('utf8'));
  } catch (err) {
    return { ok: false, why: `${WEB_ASSET} not found (${(err as Error).message}); make build makes it` };
  }
});
