// Who is calling: a name from the client certificate that the TLS handshake
// verified against client_ca. The handshake refuses a request without one;
// this checks again all the same, since a request served without a verified
// certificate would act for nobody in particular.
import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import { TLSSocket, type PeerCertificate } from 'node:tls';
import { createContextKey } from '@connectrpc/connect';
import type { GatewaySettings } from './settings';

export type Peer = { ok: true; name: string } | { ok: false; why: string };

export const PEER = createContextKey<Peer>({ ok: false, why: 'no TLS connection' });

export function peerOfRequest(req: IncomingMessage | Http2ServerRequest, rule: GatewaySettings['identity']): Peer {
  const socket = 'stream' in req ? req.stream.session?.socket : req.socket;
  if (!(socket instanceof TLSSocket)) return { ok: false, why: 'not a TLS connection' };
  if (!socket.authorized) return { ok: false, why: 'no verified client certificate' };
  const cert = socket.getPeerCertificate();
  const name = rule === 'cn' ? commonName(cert) : firstSan(cert.subjectaltname);
  if (name === null) return { ok: false, why: rule === 'cn' ? 'the client certificate has no single subject CN' : 'the client certificate has no URI, DNS or email subjectAltName' };
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
