// The Caller of a remote taskmasterd: gRPC over HTTP/2 and mutual TLS to its
// gateway. Generic over the command: the command table (protocol/commands.ts)
// gives each name its schema method, and the client of that method's service
// calls it; nothing here knows one command from another.
//
// Loaded only when -H (or TASKMASTER_HOST) asks for it: it brings Connect,
// HTTP/2 and TLS, which the local socket's one-shot commands never need.
import { createClient, type CallOptions, type Interceptor } from '@connectrpc/connect';
import { createGrpcTransport, Http2SessionManager } from '@connectrpc/connect-node';
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import type { SecureClientSessionOptions } from 'node:http2';
import { JobService } from '../../gen/taskmaster/v1/jobs_pb';
import { COMMANDS, SERVICES, type Caller, type InitOf, type OutputOf, type StreamCommand, type UnaryCommand } from '../../protocol/commands';
import { errorFromRemote } from './errors';
import { UsageError } from '../usage-error';
import { checkValidity, type Credentials } from './identity';

type AnyMethod = (request: unknown, options?: CallOptions) => unknown;

function checkCertificate(pem: Buffer, creds: Credentials): void {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (e) {
    throw new UsageError(`${creds.certFrom.path}: not a certificate in PEM form (${(e as Error).message})`);
  }
  checkValidity(cert, creds.certFrom, Date.now());
}

/** Each call carries the token in its Authorization header (gRPC metadata), never in a URL. */
const bearer = (token: string): Interceptor => (next) => (req) => {
  req.header.set('authorization', `Bearer ${token}`);
  return next(req);
};

export function remoteCaller(creds: Credentials): Caller {
  if (creds.cert !== null) checkCertificate(creds.cert, creds);
  const authority = isIP(creds.host) === 6 ? `[${creds.host}]:${creds.port}` : `${creds.host}:${creds.port}`;
  const baseUrl = `https://${authority}`;
  const tls: SecureClientSessionOptions = {
    ...(creds.cert !== null && creds.key !== null ? { cert: creds.cert, key: creds.key } : {}),
    ca: creds.ca,
    minVersion: 'TLSv1.3',
    // SNI carries names only (RFC 6066); the certificate is still checked against an address.
    ...(isIP(creds.host) === 0 ? { servername: creds.host } : {}),
  };
  // Ours, so that close() can end the connection and every stream on it.
  const sessions = new Http2SessionManager(baseUrl, {}, tls);
  const transport = createGrpcTransport({ baseUrl, sessionManager: sessions, interceptors: creds.token === null ? [] : [bearer(creds.token)] });
  const clients = new Map<string, Record<string, AnyMethod>>(
    SERVICES.map((service) => [service.typeName, createClient(service, transport) as unknown as Record<string, AnyMethod>]),
  );
  const closed = new AbortController();

  function methodOf(cmd: string): { fn: AnyMethod; jobs: boolean } {
    const method = COMMANDS.get(cmd);
    const fn = method && clients.get(method.parent.typeName)?.[method.localName];
    if (!method || !fn) throw new Error(`BUG: no remote method for command ${cmd}`);
    return { fn, jobs: method.parent.typeName === JobService.typeName };
  }

  const signalOf = (signal?: AbortSignal) => (signal ? AbortSignal.any([closed.signal, signal]) : closed.signal);

  return {
    async call<C extends UnaryCommand>(cmd: C, request: InitOf<C>): Promise<OutputOf<C>> {
      const { fn, jobs } = methodOf(cmd);
      try {
        return (await fn(request, { signal: closed.signal })) as OutputOf<C>;
      } catch (e) {
        throw errorFromRemote(e, authority, jobs, sessions.error());
      }
    },
    async *stream<C extends StreamCommand>(cmd: C, request: InitOf<C>, signal?: AbortSignal): AsyncIterable<OutputOf<C>> {
      const { fn, jobs } = methodOf(cmd);
      const options = { signal: signalOf(signal) };
      try {
        for await (const item of fn(request, options) as AsyncIterable<OutputOf<C>>) yield item;
      } catch (e) {
        // Ended from this side: a follow's normal end, not a failure.
        if (options.signal.aborted) return;
        throw errorFromRemote(e, authority, jobs, sessions.error());
      }
    },
    close() {
      closed.abort();
      sessions.abort();
    },
  };
}
