// The Callers the runner opens: the remote one for -H (or TASKMASTER_HOST),
// else the local socket's. The remote code is loaded on the first call.
import { readFileSync } from 'node:fs';
import type { Caller } from '../../protocol/commands';
import { Client } from '../client';
import { readCredentials, type RemoteTarget } from './identity';

export interface Callers {
  caller: () => Promise<Caller>;
}

export function remoteCallers(target: RemoteTarget): Callers {
  return {
    caller: async () => {
      // Read at each connection, so the shell sees a renewed certificate.
      const creds = readCredentials(target, (path) => readFileSync(path));
      const { remoteCaller } = await import('./bundle');
      return remoteCaller(creds);
    },
  };
}

export function localCallers(socket: () => Promise<string>): Callers {
  return { caller: async () => new Client(await socket()) };
}
