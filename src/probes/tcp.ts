// A TCP probe: passes when the port accepts a connection, which is closed
// at once. Used by readiness (`ready: {tcp}`) and health checks.
import { connect } from 'node:net';
import { timedOut } from './timeout';

/** Resolves null on success, else a short reason ("connection refused"); never rejects. */
export function probeTcp(target: { host: string; port: number }, timeoutMs: number, signal?: AbortSignal): Promise<string | null> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve('aborted');
    const socket = connect({ host: target.host, port: target.port });
    let done = false;
    const finish = (reason: string | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(reason);
    };
    const onAbort = (): void => finish('aborted');
    // A host that drops SYNs leaves connect pending for minutes: the timer bounds it.
    const timer = setTimeout(() => finish(timedOut(timeoutMs)), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
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
