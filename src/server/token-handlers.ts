// The token commands (createToken listTokens revokeToken). Not built yet: the
// tokens part of issue 13 replaces these with the daemon's token store.
import { TaskmasterError } from '../protocol/errors';
import type { HandlerOf } from './handler-types';

type TokenCommand = 'createToken' | 'listTokens' | 'revokeToken';

const notYet = (): never => {
  throw new TaskmasterError('EUNKNOWNCMD', 'tokens are not available in this build');
};

export const TOKEN_HANDLERS: { [C in TokenCommand]: HandlerOf<C> } = {
  createToken: notYet,
  listTokens: notYet,
  revokeToken: notYet,
};
