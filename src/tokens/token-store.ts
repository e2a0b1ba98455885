// The daemon's tokens: one JSON file it owns (mode 0600, replaced whole by a
// rename, so a crash mid-write leaves the old file or the new one, never half
// of one), holding for each token its name, role, times and the scrypt hash
// of its secret — never the secret, which exists only in the answer to
// createToken. The file is read once, at start; the daemon is its only writer.
import { readFileSync, renameSync, writeFileSync, unlinkSync } from 'node:fs';
import { TaskmasterError } from '../protocol/errors';
import { hashSecret, newSecret, type TokenRole, type TokenVerifier, verifierOf } from './token-secret';

export interface TokenRecord extends TokenVerifier {
  created_at_ms: number;
}

const FILE_VERSION = 1;
// The rule for identity names as the daemon shows them: a token's name is an identity's.
const NAME_RULE = /^[A-Za-z0-9][\w.@-]{0,79}$/;

export function checkTokenName(name: string): void {
  if (!NAME_RULE.test(name)) {
    throw new TaskmasterError('EBADREQUEST', `a token name is 1 to 80 letters, digits, '.', '_', '@' or '-', starting with a letter or digit; got ${JSON.stringify(name.slice(0, 80))}`);
  }
}

export const isExpired = (t: Pick<TokenRecord, 'expires_at_ms'>, nowMs: number): boolean => t.expires_at_ms !== null && t.expires_at_ms <= nowMs;

export class TokenStore {
  private readonly listeners = new Set<() => void>();

  private constructor(
    readonly path: string,
    private tokens: readonly TokenRecord[],
  ) {}

  /** Reads `path` (missing: no tokens yet). Throws TaskmasterError ETOKENSTORE on a file it cannot read or parse. */
  static open(path: string): TokenStore {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new TokenStore(path, []);
      throw new TaskmasterError('ETOKENSTORE', `cannot read the tokens file ${path}: ${(err as Error).message}`, { cause: err });
    }
    return new TokenStore(path, parseTokensFile(path, text));
  }

  list(): readonly TokenRecord[] {
    return this.tokens;
  }

  find(name: string): TokenRecord | undefined {
    return this.tokens.find((t) => t.name === name);
  }

  /** What the gateway is given to check secrets with. */
  verifiers(): TokenVerifier[] {
    return this.tokens.map(({ id, name, role, salt, hash, expires_at_ms }) => ({ id, name, role, salt, hash, expires_at_ms }));
  }

  /** Calls `listener` after each change that was written; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A new token and its secret. A name whose token is still valid is refused
   * (EALREADY: revoke it first, so that replacing a token is never an
   * accident); one whose token has expired is replaced.
   */
  async create(name: string, role: TokenRole, expiresInS: number, nowMs: number): Promise<{ token: TokenRecord; secret: string }> {
    checkTokenName(name);
    this.refuseTaken(name, nowMs);
    const { id, secret } = newSecret();
    const { salt, hash } = await hashSecret(secret);
    this.refuseTaken(name, nowMs); // another create of the name may have ended while we hashed
    const token: TokenRecord = { id, name, role, salt, hash, created_at_ms: nowMs, expires_at_ms: expiresInS > 0 ? nowMs + expiresInS * 1000 : null };
    this.replace([...this.tokens.filter((t) => t.name !== name), token]);
    return { token, secret };
  }

  /** Throws ENOTOKEN when no token has that name. */
  revoke(name: string): TokenRecord {
    const token = this.find(name);
    if (token === undefined) throw new TaskmasterError('ENOTOKEN', `no token named ${JSON.stringify(name.slice(0, 80))}`);
    this.replace(this.tokens.filter((t) => t !== token));
    return token;
  }

  private refuseTaken(name: string, nowMs: number): void {
    const taken = this.find(name);
    if (taken !== undefined && !isExpired(taken, nowMs)) {
      throw new TaskmasterError('EALREADY', `a token named ${name} exists; revoke it first (taskmasterctl token revoke ${name})`);
    }
  }

  /** Writes the file, then (only once it is written) takes the new list. */
  private replace(next: readonly TokenRecord[]): void {
    const tmp = `${this.path}.tmp`;
    try {
      // mode applies to a new file only; the temp file is always new (removed below on failure).
      writeFileSync(tmp, JSON.stringify({ version: FILE_VERSION, tokens: next }, null, 1) + '\n', { mode: 0o600, flag: 'w' });
      renameSync(tmp, this.path);
    } catch (err) {
      try {
        unlinkSync(tmp);
      } catch {
        // never made
      }
      throw new TaskmasterError('ETOKENSTORE', `cannot write the tokens file ${this.path}: ${(err as Error).message}`, { cause: err });
    }
    this.tokens = next;
    for (const l of this.listeners) l();
  }
}

function parseTokensFile(path: string, text: string): TokenRecord[] {
  const bad = (what: string): never => {
    throw new TaskmasterError('ETOKENSTORE', `the tokens file ${path} is damaged: ${what}; fix or remove it (removing it revokes every token)`);
  };
  let v: { version?: unknown; tokens?: unknown };
  try {
    v = JSON.parse(text) as typeof v;
  } catch {
    return bad('not JSON');
  }
  if (typeof v !== 'object' || v === null || v.version !== FILE_VERSION || !Array.isArray(v.tokens)) return bad(`not a version ${FILE_VERSION} tokens file`);
  return v.tokens.map((t: unknown, i) => {
    const verifier = verifierOf(t);
    const created = (t as { created_at_ms?: unknown }).created_at_ms;
    if (verifier === null || typeof created !== 'number') return bad(`entry ${i} is not a token`);
    return { ...verifier, created_at_ms: created };
  });
}
