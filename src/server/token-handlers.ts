// The token commands (createToken listTokens revokeToken), for an identity
// with the admin right (the local socket's, or an admin's through the
// gateway). The store writes its file and then tells the gateway
// (gateway-remote.ts), so a new token works, and a revoked one stops, on
// every connection.
import type { MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { TokenRole, type TokenSchema } from '../gen/taskmaster/v1/tokens_pb';
import { TaskmasterError } from '../protocol/errors';
import type { TokenRole as StoredRole } from '../tokens/token-secret';
import type { TokenRecord, TokenStore } from '../tokens/token-store';
import type { DaemonControl } from './control';
import type { HandlerOf } from './handler-types';

type TokenCommand = 'createToken' | 'listTokens' | 'revokeToken';

// A token that would outlive every clock: refused rather than stored as Infinity.
const MAX_EXPIRES_IN_S = 100 * 365 * 24 * 3600;

function storeOf(ctl: DaemonControl): TokenStore {
  if (ctl.tokens === null) throw new TaskmasterError('ETOKENSTORE', 'tokens are for the remote API, and this daemon has none (taskmasterd.remote)');
  return ctl.tokens;
}

function roleOf(role: TokenRole): StoredRole {
  switch (role) {
    case TokenRole.UNSPECIFIED:
    case TokenRole.READ:
      return 'read';
    case TokenRole.CONTROL:
      return 'control';
    default:
      throw new TaskmasterError('EBADREQUEST', `unknown token role ${String(role)}; expected read or control`);
  }
}

function tokenView(t: TokenRecord): MessageInitShape<typeof TokenSchema> {
  return {
    name: t.name,
    role: t.role === 'control' ? TokenRole.CONTROL : TokenRole.READ,
    createdAt: timestampFromMs(t.created_at_ms),
    ...(t.expires_at_ms === null ? {} : { expiresAt: timestampFromMs(t.expires_at_ms) }),
  };
}

export const TOKEN_HANDLERS: { [C in TokenCommand]: HandlerOf<C> } = {
  async createToken(ctl, _identity, req) {
    const expiresInS = Number(req.expiresInS);
    if (expiresInS > MAX_EXPIRES_IN_S) throw new TaskmasterError('EBADREQUEST', `expires_in_s: at most ${MAX_EXPIRES_IN_S} (100 years); 0 never expires`);
    const { token, secret } = await storeOf(ctl).create(req.name, roleOf(req.role), expiresInS, ctl.wallNow());
    ctl.log.info({ token: token.name, role: token.role }, `token ${token.name} created (${token.role})`);
    return { token: tokenView(token), secret };
  },
  listTokens(ctl) {
    return { tokens: storeOf(ctl).list().map(tokenView) };
  },
  revokeToken(ctl, _identity, req) {
    const token = storeOf(ctl).revoke(req.name);
    ctl.log.info({ token: token.name }, `token ${token.name} revoked`);
    return {};
  },
};
