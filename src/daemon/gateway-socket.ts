// The daemon's socket for the gateway: the only place where the daemon
// accepts a request made "as" an identity. Mode 0600 and owned by the
// gateway's user, so that no other local user can speak through it (root
// can, as root can do everything already).
import { chmodSync, chownSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { TaskmasterError } from '../protocol/errors';
import type { Account } from '../config/accounts';

/**
 * Listens on `path` for the gateway. Called after the control socket is ours,
 * so a socket file left here is a dead daemon's and is replaced.
 * `owner` null: the daemon's own user (the gateway runs as the daemon).
 */
export async function listenGatewaySocket(path: string, owner: Account | null, serve: (socket: Socket) => void): Promise<Server> {
  mkdirSync(dirname(path), { recursive: true });
  try {
    if (!lstatSync(path).isSocket()) throw new TaskmasterError('ECONNECT', `${path} exists and is not a socket; refusing to replace it (taskmasterd.remote.socket)`);
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const server = createServer(serve);
  // bind() creates the file with the umask: 077 around it, so it is never more open than 0600.
  const saved = process.umask(0o077);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => (server.off('error', reject), resolve()));
    });
  } catch (err) {
    throw new TaskmasterError('ECONNECT', `cannot listen on ${path} (taskmasterd.remote.socket): ${(err as Error).message}`, { cause: err });
  } finally {
    process.umask(saved);
  }
  chmodSync(path, 0o600);
  if (owner !== null) chownSync(path, owner.uid, owner.gid);
  return server;
}
