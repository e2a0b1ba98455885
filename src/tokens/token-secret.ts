// A bearer token's secret and how it is checked, shared by the daemon (which
// makes secrets and keeps their hashes) and the gateway (which checks what a
// client presents against those hashes). The secret reads
// `tm_<id>_<random>`: the prefix makes a leaked one easy to spot (and to scan
// for), the id (public, random per token) finds its record without trying
// every hash, and the random part is 256 bits from the OS's CSPRNG.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export type TokenRole = 'read' | 'control';
export const TOKEN_ROLES: readonly TokenRole[] = ['read', 'control'];

/** What the gateway needs to check a secret and say whose it is: never the secret. */
export interface TokenVerifier {
  /** Public, random per token (a token made again under the same name has a new one). */
  id: string;
  name: string;
  role: TokenRole;
  /** base64 */
  salt: string;
  /** base64: scrypt(secret, salt). */
  hash: string;
  /** Wall-clock ms; null: never. */
  expires_at_ms: number | null;
}

/**
 * The `as` the gateway sends for a caller that signed in with a token. Its own
 * namespace, so that a token never takes the rights of the certificate
 * identity of the same name (remote.users), and so that every route that
 * forwards the peer's name as it is forwards a token caller correctly.
 */
export const TOKEN_AS_PREFIX = 'token:';

const SECRET_BYTES = 32;
const ID_BYTES = 8;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
// scrypt's usual interactive cost (N = 2^14, r = 8): about 16 MiB and tens of
// ms per check. The gateway caches a checked secret, so it pays this once.
const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const SECRET_SHAPE = /^tm_([0-9a-f]{16})_[A-Za-z0-9_-]{43}$/;

/** A new secret, and its id. */
export function newSecret(): { id: string; secret: string } {
  const id = randomBytes(ID_BYTES).toString('hex');
  return { id, secret: `tm_${id}_${randomBytes(SECRET_BYTES).toString('base64url')}` };
}

/** The id a presented secret claims, or null when it is not shaped like one of ours. */
export function idOfSecret(secret: string): string | null {
  return SECRET_SHAPE.exec(secret)?.[1] ?? null;
}

/** Does `text` hold something shaped like a secret (anywhere)? For URLs, where one must never be accepted. */
export function looksLikeSecret(text: string): boolean {
  return /tm_[0-9a-f]{16}_[A-Za-z0-9_-]{20}/.test(text);
}

function scryptOf(secret: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(secret, salt, HASH_BYTES, SCRYPT, (err, key) => (err ? reject(err) : resolve(key))));
}

/** A fresh salt and the hash of `secret` with it, both base64. */
export async function hashSecret(secret: string): Promise<{ salt: string; hash: string }> {
  const salt = randomBytes(SALT_BYTES);
  return { salt: salt.toString('base64'), hash: (await scryptOf(secret, salt)).toString('base64') };
}

/** Does `secret` hash to `v.hash`? Compared in constant time. */
export async function secretMatches(secret: string, v: Pick<TokenVerifier, 'salt' | 'hash'>): Promise<boolean> {
  const want = Buffer.from(v.hash, 'base64');
  const got = await scryptOf(secret, Buffer.from(v.salt, 'base64'));
  return want.length === got.length && timingSafeEqual(want, got);
}

/** A verifier as it arrives in a settings line or from the tokens file; null when it is not one. */
export function verifierOf(v: unknown): TokenVerifier | null {
  const o = v as Partial<Record<keyof TokenVerifier, unknown>> | null;
  if (typeof o !== 'object' || o === null) return null;
  const text = (x: unknown): x is string => typeof x === 'string' && x !== '';
  if (!text(o.id) || !text(o.name) || !text(o.salt) || !text(o.hash)) return null;
  if (o.role !== 'read' && o.role !== 'control') return null;
  const exp = o.expires_at_ms;
  if (exp !== null && (typeof exp !== 'number' || !Number.isFinite(exp))) return null;
  return { id: o.id, name: o.name, role: o.role, salt: o.salt, hash: o.hash, expires_at_ms: exp };
}
