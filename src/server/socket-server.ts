// The control socket: a Unix stream socket whose file mode decides who may
// control the daemon. A stale socket file from a crash is replaced; one on
// which another daemon still answers is left alone and we refuse to start.
import { chmodSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { dirname } from 'node:path';
import { TaskmasterError } from '../protocol/errors';
import { LOCAL_SOCKET, serveConnection, type ServeOptions } from './connection';
import type { DaemonControl } from './control';

/** `options`: the local socket's meaning by default; the gateway's socket says so (see ServeOptions). */
export async function listenControlSocket(path: string, mode: number, ctl: DaemonControl, options: ServeOptions = LOCAL_SOCKET): Promise<Server> {
  mkdirSync(dirname(path), { recursive: true });
  await clearStaleSocket(path);
  const server = createServer((socket) => serveConnection(socket, ctl, options));
  // The socket file is created by bind() with the process umask; narrowing
  // the umask around it means no moment exists where it is more open than `mode`.
  const saved = process.umask(0o777 & ~mode);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    throw new TaskmasterError('ECONNECT', `cannot listen on ${path}: ${(err as Error).message}`, { cause: err });
  } finally {
    process.umask(saved);
  }
  chmodSync(path, mode);
  server.on('error', (err) => ctl.log.error({ err: err.message }, `control socket error: ${err.message}`));
  return server;
}

async function clearStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return; // nothing there
  }
  if (!isSocket) throw new TaskmasterError('ECONNECT', `${path} exists and is not a socket; refusing to replace it`);
  const alive = await new Promise<boolean>((resolve) => {
    const probe = createConnection(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) throw new TaskmasterError('ECONNECT', `another taskmasterd is already listening on ${path}`);
  unlinkSync(path);
}
