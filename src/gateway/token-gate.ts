// Checks the bearer secrets clients present against the verifiers of the
// latest settings line. scrypt is slow on purpose, so a secret that matched
// is remembered for a while (keyed by its SHA-256, never kept as it is) and
// its next requests skip the hash. The memory never outlives the token: each
// hit looks the token up again, so a token gone from the settings (revoked)
// or past its expiry is refused on the very next request.
import { createHash } from 'node:crypto';
import { idOfSecret, secretMatches, type TokenVerifier } from '../tokens/token-secret';

export type TokenCheck = { ok: true; name: string } | { ok: false; code: string; why: string };

interface Remembered {
  id: string;
  hash: string;
  untilMs: number;
}

export class TokenGate {
  private byId = new Map<string, TokenVerifier>();
  private readonly matched = new Map<string, Remembered>();

  constructor(
    /** Wall-clock ms: expiry is a date. */
    private readonly now: () => number,
    private readonly rememberMs: number,
    private readonly capacity: number,
  ) {}

  /** The verifiers of a new settings line; what was remembered of a token no longer there is forgotten. */
  update(verifiers: readonly TokenVerifier[]): void {
    this.byId = new Map(verifiers.map((v) => [v.id, v]));
    for (const [key, r] of this.matched) if (this.byId.get(r.id)?.hash !== r.hash) this.matched.delete(key);
  }

  async check(secret: string): Promise<TokenCheck> {
    const id = idOfSecret(secret);
    if (id === null) return { ok: false, code: 'TOKEN_MALFORMED', why: 'the bearer token is not a taskmaster token' };
    const known = this.current(id);
    if (!known.ok) return known;
    const key = createHash('sha256').update(secret).digest('base64');
    const r = this.matched.get(key);
    if (r !== undefined && r.id === id && r.hash === known.v.hash && r.untilMs > this.now()) return { ok: true, name: known.v.name };
    const matches = await secretMatches(secret, known.v);
    // A revoke may have come in while scrypt ran.
    const still = this.current(id);
    if (!still.ok) return still;
    if (!matches || still.v.hash !== known.v.hash) return { ok: false, code: 'TOKEN_WRONG', why: 'the bearer token does not match' };
    this.matched.delete(key);
    this.matched.set(key, { id, hash: known.v.hash, untilMs: this.now() + this.rememberMs });
    if (this.matched.size > this.capacity) this.matched.delete(this.matched.keys().next().value!);
    return { ok: true, name: known.v.name };
  }

  private current(id: string): { ok: true; v: TokenVerifier } | { ok: false; code: string; why: string } {
    const v = this.byId.get(id);
    if (v === undefined) return { ok: false, code: 'TOKEN_UNKNOWN', why: 'the bearer token is unknown or revoked' };
    if (v.expires_at_ms !== null && v.expires_at_ms <= this.now()) return { ok: false, code: 'TOKEN_EXPIRED', why: `the bearer token ${v.name} has expired` };
    return { ok: true, v };
  }
}
