// A TCP probe: does HOST:PORT accept a connection? Shared by readiness
// (`ready: {tcp}`) and health checks. The connection is closed as soon as it
// is made; nothing is sent.
import { connect } from 'node:net';
import { settleOnce, timedOut } from './settle';

/** null when the port accepts; otherwise why not ("connection refused", "timed out after 2s"). Never rejects. */
export function probeTcp(target: { host: string; port: number }, timeoutMs: number, signal?: AbortSignal): Promise<string | null> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve('aborted');
    const socket = connect({ host: target.host, port: target.port });
    const finish = settleOnce(resolve, () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
    });
    const onAbort = (): void => finish('aborted');
    const timer = setTimeout(() => finish(timedOut(timeoutMs)), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish(null));
    socket.once('error', (err: NodeJS.ErrnoException) => finish(networkReason(err)));
  });
}

/** "connection refused" for ECONNREFUSED, and the like: what a person reads in `status`. */
export function networkReason(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'EHOSTUNREACH':
      return 'host unreachable';
    case 'ENETUNREACH':
      return 'network unreachable';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'unknown host';
    default:
      return err.code ?? err.message;
  }
}
