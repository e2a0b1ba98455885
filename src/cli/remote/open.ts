// The Callers the runner opens: the remote one for -H (or TASKMASTER_HOST),
// else the local socket's. The remote code is loaded on the first call.
import { readFileSync } from 'node:fs';
import type { Caller } from '../../protocol/commands';
import { TaskmasterError } from '../../protocol/errors';
import type { Client } from '../client';
import { readCredentials, type RemoteTarget } from './identity';

export interface Callers {
  caller: () => Promise<Caller>;
  /** Remote only, until every command takes a Caller (see legacy-client.ts). */
  clientOver?: (caller: Caller) => Promise<Client>;
}

export function remoteCallers(target: RemoteTarget): Callers {
  return {
    caller: async () => {
      // Read at each connection, so the shell sees a renewed certificate.
      const creds = readCredentials(target, (path) => readFileSync(path));
      const { remoteCaller } = await import('./bundle');
      return remoteCaller(creds);
    },
    clientOver: async (caller) => (await import('./bundle')).legacyClient(caller) as unknown as Client,
  };
}

/** The local socket's Caller comes with the schema's wire format (branch `wire`); until then, a clear refusal. */
export function localCallers(): Callers {
  return {
    caller: () =>
      Promise.reject(new TaskmasterError('EUNKNOWNCMD', 'this taskmasterctl runs job commands only against a remote taskmasterd (-H HOST)')),
  };
}
