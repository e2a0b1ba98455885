// Who a request from the gateway speaks for, by its `as`: a certificate's
// identity (remote.users) or, under TOKEN_AS_PREFIX, a token's. The gateway
// checked the token's secret; the daemon checks again that the token still
// exists and has not expired, so that a revoke holds at once even for a
// gateway that has not yet taken in the news (its settings line is in flight).
import type { Identity } from '../authz/identity';
import { identityOf, type RemoteUsers, tokenIdentityOf } from '../config/remote-users';
import type { ErrorInfo } from '../protocol/errors';
import { TOKEN_AS_PREFIX } from './token-secret';
import { isExpired, type TokenStore } from './token-store';

/** Null: a certificate identity the config does not name (the caller answers EPERM). */
export function remoteIdentityOf(as: string, users: RemoteUsers, tokens: TokenStore | null, nowMs: number): Identity | ErrorInfo | null {
  if (!as.startsWith(TOKEN_AS_PREFIX)) return identityOf(users, as);
  const name = as.slice(TOKEN_AS_PREFIX.length);
  const token = tokens?.find(name);
  if (token === undefined || isExpired(token, nowMs)) return { code: 'EUNAUTHENTICATED', message: `the token ${name.slice(0, 80)} is revoked or expired` };
  return tokenIdentityOf(users, token);
}
