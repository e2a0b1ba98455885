// Handshakes and requests the gateway refused, logged once per (peer
// address, reason): a client retrying with an expired certificate or a
// revoked token every second must not fill the log. A reason never holds a
// secret (peer.ts words them). Memory is bounded: past `capacity` pairs the least recently seen is
// forgotten, so an address scan cannot grow it (a forgotten pair that comes
// back is logged again, which is the right trade).
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

export interface Refusal {
  peer: string;
  code: string;
  reason: string;
}

export class RefusalLog {
  private readonly seen = new Map<string, true>();

  constructor(
    private readonly capacity: number,
    private readonly write: (refusal: Refusal) => void,
  ) {}

  report(refusal: Refusal): void {
    const key = `${refusal.peer}\0${refusal.code}`;
    if (this.seen.delete(key)) {
      this.seen.set(key, true); // now the most recently seen
      return;
    }
    this.seen.set(key, true);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value!);
    this.write(refusal);
  }
}

// What a refused client certificate's verification code means (OpenSSL's X509_V_ERR_* names, as Node gives them).
const VERIFY_REASONS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'the client certificate has expired',
  CERT_NOT_YET_VALID: 'the client certificate is not yet valid',
  CERT_REVOKED: 'the client certificate is revoked (CRL)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the client certificate is not signed by client_ca',
  UNABLE_TO_GET_ISSUER_CERT: 'the client certificate is not signed by client_ca',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the client certificate is not signed by client_ca',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the client certificate is self-signed',
  UNABLE_TO_GET_CRL: 'no revocation list for the client certificate issuer',
  CRL_HAS_EXPIRED: 'the revocation list (crl) has expired',
};

/** A verification code (CERT_HAS_EXPIRED…) in words. */
export function verifyReason(code: string): string {
  return VERIFY_REASONS[code] ?? 'the client certificate did not verify';
}

/**
 * Why a handshake failed, from the server's tlsClientError. OpenSSL's own
 * refusals (no certificate, TLS 1.2) come as its code and reason; a
 * certificate that Node verified and refused after the handshake comes as a
 * hang-up, its reason in the socket's authorizationError.
 */
export function refusalOf(err: Error & { code?: unknown; reason?: unknown }, socket: TLSSocket, peers: PeerAddresses): Refusal {
  const peer = peers.of(socket);
  const verify = socket.authorizationError as unknown;
  if (typeof verify === 'string' && verify !== '') return { peer, code: verify, reason: verifyReason(verify) };
  if (verify instanceof Error) return { peer, code: (verify as { code?: string }).code ?? 'VERIFY_FAILED', reason: verify.message };
  const code = typeof err.code === 'string' ? err.code : 'UNKNOWN';
  const reason = typeof err.reason === 'string' ? err.reason : err.message.split('\n')[0]!.slice(0, 200);
  return { peer, code, reason };
}

/**
 * Peer addresses, noted as each TCP connection arrives. Once Node has
 * destroyed a socket whose certificate it refused, neither the TLS socket nor
 * the TCP socket it wrapped can tell its peer any more; the TCP socket (Node's
 * `_parent` of the TLS socket) is the key to what was noted.
 */
export class PeerAddresses {
  private readonly noted = new WeakMap<Socket, string>();

  /** For the server's 'connection' event. */
  note(raw: Socket): void {
    if (raw.remoteAddress !== undefined) this.noted.set(raw, raw.remoteAddress);
  }

  of(socket: TLSSocket): string {
    const parent = (socket as TLSSocket & { _parent?: Socket | null })._parent;
    return socket.remoteAddress ?? (parent ? this.noted.get(parent) : undefined) ?? 'unknown';
  }
}
