// A TCP probe: passes when the port accepts a connection, which is closed
// at once. Used by readiness (`ready: {tcp}`) and health checks.
import { connect } from 'node:net';
import { probeEnd } from './timeout';

/** Resolves null on success, else a short reason ("connection refused"); never rejects. */
export function probeTcp(target: { host: string; port: number }, timeoutMs: number, signal?: AbortSignal): Promise<string | null> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve('aborted');
    const socket = connect({ host: target.host, port: target.port });
    // A host that drops SYNs leaves connect pending for minutes: the deadline bounds it.
    const finish = probeEnd(timeoutMs, signal, resolve, () => socket.destroy());
    socket.once('connect', () => finish(null));
    socket.once('error', (err: NodeJS.ErrnoException) => finish(connectError(err)));
  });
}

function connectError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host not found (${err.code})`;
    default:
      return err.code ?? err.message;
  }
}
