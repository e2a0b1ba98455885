// A remote call's failure as the TaskmasterError a local one would have
// thrown: same code, same message, so the CLI prints the same text and exits
// the same. The gateway attaches the daemon's ErrorInfo to the gRPC status;
// without it (a proxy, a TLS refusal, a dead network) the gRPC code and the
// Node error underneath say what happened.
import { Code, ConnectError } from '@connectrpc/connect';
import { ErrorInfoSchema } from '../../gen/taskmaster/v1/control_pb';
import { isErrorCode, TaskmasterError, type ErrorCode } from '../../protocol/errors';

/** The reasons worth naming in words; OpenSSL's own text serves for the rest. */
const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name could not be resolved now',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's certificate does not name this host",
};

function nodeErrors(e: unknown): NodeJS.ErrnoException[] {
  const chain: NodeJS.ErrnoException[] = [];
  for (let cur = e; cur instanceof Error && !chain.includes(cur); cur = (cur as Error).cause) chain.push(cur);
  return chain;
}

/** OpenSSL verify codes (CERT_HAS_EXPIRED), Node TLS codes (ERR_TLS_…), SSL alerts (ERR_SSL_…). */
function isTlsCode(code: string): boolean {
  return /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_)/.test(code);
}

/** Why the connection failed, in a few words, or null when it is not a connection failure. */
export function connectionReason(e: unknown): string | null {
  for (const err of nodeErrors(e)) {
    const code = typeof err.code === 'string' ? err.code : '';
    if (code in NETWORK_REASONS) return `${NETWORK_REASONS[code]} (${code})`;
    // The server refused our certificate: TLS 1.3 tells the client in an alert after the handshake.
    if (code.startsWith('ERR_SSL_')) return `TLS: ${err.message.replace(/^.*?:SSL routines:[^:]*:/, '').replace(/:.*$/, '')} (${code})`;
    if (isTlsCode(code)) return `TLS: ${err.message} (${code})`;
  }
  return null;
}

/** A gRPC code without our detail: the code of ours it most likely stands for, by service. */
function codeFor(code: Code, jobs: boolean): ErrorCode | null {
  switch (code) {
    case Code.PermissionDenied:
      return 'EPERM';
    case Code.Unauthenticated:
      return 'EUNAUTHENTICATED';
    case Code.NotFound:
      return jobs ? 'ENOJOB' : 'ENOPROGRAM';
    case Code.ResourceExhausted:
      return jobs ? 'ETOOMANYJOBS' : 'ETOOLARGE';
    case Code.InvalidArgument:
      return 'EBADREQUEST';
    case Code.Unimplemented:
      return 'EUNKNOWNCMD';
    case Code.AlreadyExists:
      return 'EALREADY';
    case Code.FailedPrecondition:
      return 'ENOTRUNNING';
    default:
      return null;
  }
}

/**
 * `where` is HOST:PORT; `jobs` says the call was one of JobService's;
 * `connection` is the HTTP/2 connection's own error, if it has one: when the
 * server refuses our certificate after the handshake (TLS 1.3), the call
 * sees only its stream cancelled, and the reason is the connection's.
 */
export function errorFromRemote(e: unknown, where: string, jobs: boolean, connection?: unknown): TaskmasterError {
  if (e instanceof TaskmasterError) return e;
  const ce = ConnectError.from(e);
  const [info] = ce.findDetails(ErrorInfoSchema);
  if (info && isErrorCode(info.code)) return new TaskmasterError(info.code, info.message, { cause: e });
  const reason = connectionReason(e) ?? connectionReason(connection);
  // A Node server refuses a client certificate by closing the connection
  // after the handshake, without a TLS alert: the stream is all we see go,
  // cancelled, or the connection reset when the close races our first write.
  const hungUp = ce.code === Code.Canceled || [e, connection].some((x) => nodeErrors(x).some((err) => err.code === 'ECONNRESET'));
  if (reason && !hungUp) return new TaskmasterError('ECONNECT', `cannot reach taskmasterd at ${where}: ${reason}`, { cause: e });
  if (hungUp) {
    return new TaskmasterError(
      'ECONNECT',
      `taskmasterd at ${where} closed the connection (did it refuse this client's certificate? revoked, from another CA, or a name it does not know)`,
      { cause: e },
    );
  }
  if (ce.code === Code.Unavailable) {
    return new TaskmasterError('ECONNECT', `cannot reach taskmasterd at ${where}: ${ce.rawMessage}`, { cause: e });
  }
  const code = codeFor(ce.code, jobs);
  if (code) return new TaskmasterError(code, ce.rawMessage, { cause: e });
  // No code of ours and none that maps: say what the server said, as it said it.
  return new TaskmasterError('EINTERNAL', `taskmasterd at ${where} answered ${Code[ce.code]}: ${ce.rawMessage}`, { cause: e });
}
