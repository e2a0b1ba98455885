// Signed log links: `taskmasterctl http` asks the daemon for one, the
// gateway serves the download. The daemon signs with a key it draws at start
// and keeps in memory only; it hands the key to the gateway in its settings
// line, so a daemon restart voids every link made before. A link is valid for
// one method, one process, one stream, one identity and until its expiry: an
// HMAC-SHA256 over exactly those, compared in constant time. Nothing else in
// the link is a credential.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type LogStream = 'stdout' | 'stderr';

/** What a link grants: GET of one stream of one process, as one identity, until `exp` (unix seconds). */
export interface LogLink {
  name: string;
  stream: LogStream;
  /** The identity the download runs as: the one that asked for the link. */
  as: string;
  exp: number;
}

export const LINK_PATH_PREFIX = '/logs/';
export const LINK_KEY_BYTES = 32;
export const DEFAULT_LINK_SECONDS = 5 * 60;
// Short-lived on purpose: a link is for a download now, not for a bookmark.
export const MAX_LINK_SECONDS = 60 * 60;

/** The exact bytes signed: a JSON array, so no field can run into the next. */
function signed(method: string, link: LogLink): string {
  return JSON.stringify([method, link.name, link.stream, link.exp, link.as]);
}

function mac(key: Uint8Array, method: string, link: LogLink): Buffer {
  return createHmac('sha256', key).update(signed(method, link)).digest();
}

/** The path and query of the link (the origin goes before it). */
export function signLink(key: Uint8Array, link: LogLink): string {
  const sig = mac(key, 'GET', link).toString('base64url');
  const query = new URLSearchParams({ as: link.as, exp: String(link.exp), sig });
  return `${LINK_PATH_PREFIX}${encodeURIComponent(link.name)}/${link.stream}?${query.toString()}`;
}

/** Two equal-length buffers equal? Must not return early (timingSafeEqual). */
export type ConstantTimeEqual = (a: Uint8Array, b: Uint8Array) => boolean;

export type CheckedLink = { ok: true; link: LogLink } | { ok: false; why: 'malformed' | 'bad-signature' | 'expired' };

/**
 * The link a request holds, if it holds a valid one at `nowMs` (wall clock).
 * `url` is the request's path and query. The reasons are for the gateway's
 * log; the client gets one answer for all of them.
 */
export function checkLink(key: Uint8Array, method: string, url: string, nowMs: number, equal: ConstantTimeEqual = timingSafeEqual): CheckedLink {
  const parsed = parseLinkUrl(url);
  if (parsed === null) return { ok: false, why: 'malformed' };
  const { link, sig } = parsed;
  const want = mac(key, method, link);
  // A sig of the wrong length is compared with itself-sized zeros all the
  // same: the work does not depend on how the sig is wrong.
  const same = equal(want, sig.length === want.length ? sig : Buffer.alloc(want.length)) && sig.length === want.length;
  if (!same) return { ok: false, why: 'bad-signature' };
  if (nowMs >= link.exp * 1000) return { ok: false, why: 'expired' };
  return { ok: true, link };
}

/** `/logs/NAME/STREAM?as=…&exp=…&sig=…`, or null for anything else. */
export function parseLinkUrl(url: string): { link: LogLink; sig: Buffer } | null {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (!path.startsWith(LINK_PATH_PREFIX)) return null;
  const parts = path.slice(LINK_PATH_PREFIX.length).split('/');
  if (parts.length !== 2) return null;
  const [rawName, stream] = parts as [string, string];
  if (stream !== 'stdout' && stream !== 'stderr') return null;
  let name: string;
  try {
    name = decodeURIComponent(rawName);
  } catch {
    return null;
  }
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  const as = query.get('as');
  const exp = query.get('exp');
  const sig = query.get('sig');
  if (name === '' || as === null || as === '' || exp === null || sig === null || !/^\d{1,12}$/.test(exp) || !/^[\w-]{1,100}$/.test(sig)) return null;
  return { link: { name, stream, as, exp: Number(exp) }, sig: Buffer.from(sig, 'base64url') };
}

/** The link's expiry, unix seconds: `seconds` (0: the default) from `nowMs`, rounded up. */
export function expiryOf(nowMs: number, seconds: number): number {
  return Math.ceil((nowMs + (seconds === 0 ? DEFAULT_LINK_SECONDS : seconds) * 1000) / 1000);
}

/**
 * Where links point: remote.public_url when set; else the listener's address
 * and (actual) port, with the machine's hostname for a wildcard address
 * (0.0.0.0, ::), which no client can reach as such.
 */
export function linkOrigin(publicUrl: string | null, listen: { host: string; port: number }, hostname: string): string {
  if (publicUrl !== null) return publicUrl.replace(/\/+$/, '');
  const wildcard = listen.host === '' || listen.host === '0.0.0.0' || listen.host === '::' || listen.host === '[::]';
  const host = wildcard ? hostname : listen.host;
  return `https://${host.includes(':') ? `[${host}]` : host}:${listen.port}`;
}
