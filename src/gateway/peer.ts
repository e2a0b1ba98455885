// Who is calling, decided per request, in this one place: a client
// certificate verified against client_ca, else a bearer token in the
// Authorization header (checked by the TokenGate), else nobody. A
// certificate presented that did not verify is refused, never taken as "no
// certificate"; a verified certificate wins over a header (one identity per
// request). A token is never taken from the URL: URLs end in logs, shell
// history and Referer headers, so one there is refused outright.
import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import { TLSSocket, type PeerCertificate } from 'node:tls';
import { createContextKey } from '@connectrpc/connect';
import { looksLikeSecret, TOKEN_AS_PREFIX } from '../tokens/token-secret';
import { verifyReason } from './refusals';
import type { GatewaySettings } from './settings';
import type { TokenGate } from './token-gate';

/** ok: the name the daemon is told (`as`; a token's under TOKEN_AS_PREFIX). Not ok: a code for the refusal log and why, for the client. */
export type Peer = { ok: true; name: string } | { ok: false; code: string; why: string };

export const PEER = createContextKey<Peer>({ ok: false, code: 'NO_TLS', why: 'no TLS connection' });

type Request = IncomingMessage | Http2ServerRequest;

export function socketOf(req: Request): TLSSocket | null {
  const socket = 'stream' in req ? req.stream.session?.socket : req.socket;
  return socket instanceof TLSSocket ? socket : null;
}

/** Did the client send a certificate at all (verified or not)? Node gives an empty object when not. */
export function presentedCertificate(socket: TLSSocket): boolean {
  return Object.keys(socket.getPeerCertificate()).length > 0;
}

export async function authenticate(req: Request, rule: GatewaySettings['identity'], tokens: TokenGate): Promise<Peer> {
  const socket = socketOf(req);
  if (socket === null) return { ok: false, code: 'NO_TLS', why: 'not a TLS connection' };
  if (tokenInUrl(req.url ?? '')) {
    return { ok: false, code: 'TOKEN_IN_URL', why: 'a token in the URL is never accepted (URLs are logged and kept); send it as "Authorization: Bearer …"' };
  }
  if (socket.authorized) return certificatePeer(socket, rule);
  if (presentedCertificate(socket)) {
    const code = String(socket.authorizationError ?? 'VERIFY_FAILED');
    return { ok: false, code, why: verifyReason(code) };
  }
  const header = req.headers.authorization;
  if (header === undefined) return { ok: false, code: 'NO_CREDENTIALS', why: 'no client certificate and no bearer token' };
  const bearer = /^Bearer +(\S+) *$/i.exec(header);
  if (bearer === null) return { ok: false, code: 'BAD_AUTHORIZATION', why: 'the Authorization header is not "Bearer <token>"' };
  const checked = await tokens.check(bearer[1]!);
  return checked.ok ? { ok: true, name: `${TOKEN_AS_PREFIX}${checked.name}` } : checked;
}

function tokenInUrl(url: string): boolean {
  const q = url.indexOf('?');
  if (q < 0) return false;
  const query = url.slice(q + 1);
  let decoded = query;
  try {
    decoded = decodeURIComponent(query);
  } catch {
    // a malformed escape: look at it as it is
  }
  return looksLikeSecret(decoded) || new URLSearchParams(query).has('access_token');
}

function certificatePeer(socket: TLSSocket, rule: GatewaySettings['identity']): Peer {
  const cert = socket.getPeerCertificate();
  const name = rule === 'cn' ? commonName(cert) : firstSan(cert.subjectaltname);
  if (name === null) {
    return { ok: false, code: 'NO_NAME', why: rule === 'cn' ? 'the client certificate has no single subject CN' : 'the client certificate has no URI, DNS or email subjectAltName' };
  }
  return { ok: true, name };
}

function commonName(cert: PeerCertificate): string | null {
  const cn = cert.subject?.CN as string | string[] | undefined;
  return typeof cn === 'string' && cn !== '' ? cn : null; // several CNs: which one would be ambiguous
}

/**
 * The first URI, DNS or email entry of subjectAltName, in the certificate's
 * order ("DNS:a, URI:spiffe://x/y"). Node quotes a value holding a comma or a
 * quote as a JSON string.
 */
export function firstSan(altNames: string | undefined): string | null {
  if (altNames === undefined) return null;
  const entry = /(?:^|, )(URI|DNS|email):("(?:[^"\\]|\\.)*"|[^,]*)/.exec(altNames);
  if (entry === null) return null;
  const value = entry[2]!;
  try {
    const name = value.startsWith('"') ? (JSON.parse(value) as string) : value;
    return name === '' ? null : name;
  } catch {
    return null;
  }
}
