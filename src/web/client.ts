// The page's one way to the daemon: the generated clients over Connect/JSON
// to the gateway that served the page. Who is calling comes from the TLS
// connection's client certificate, or from a bearer token that the user
// pasted: kept in sessionStorage (gone with the tab, never in a URL, never in
// localStorage where every later visit would carry it).
import { Code, ConnectError, createClient, type Interceptor } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-web';
import { ControlService, ErrorInfoSchema } from '../gen/taskmaster/v1/control_pb';
import { JobService } from '../gen/taskmaster/v1/jobs_pb';

const TOKEN_KEY = 'taskmaster.token';

export const token = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (value: string): void => sessionStorage.setItem(TOKEN_KEY, value),
  clear: (): void => sessionStorage.removeItem(TOKEN_KEY),
};

const bearer: Interceptor = (next) => (req) => {
  const t = token.get();
  if (t !== null) req.header.set('Authorization', `Bearer ${t}`);
  return next(req);
};

const transport = createConnectTransport({ baseUrl: location.origin, useBinaryFormat: false, interceptors: [bearer] });

export const control = createClient(ControlService, transport);
export const jobs = createClient(JobService, transport);

/** "EPERM: identity dev may not stop: …": the daemon's code when it sent one, else the transport's. */
export function errorText(err: unknown): string {
  const e = ConnectError.from(err);
  const info = e.findDetails(ErrorInfoSchema)[0];
  if (info !== undefined) return `${info.code}: ${info.message}`;
  return `${Code[e.code] ?? 'error'}: ${e.rawMessage}`;
}

/** The gateway did not know who we are: sign in. */
export function isUnauthenticated(err: unknown): boolean {
  return ConnectError.from(err).code === Code.Unauthenticated;
}

/** The stream was ended by us (the panel closed), not by a failure. */
export function isCanceled(err: unknown): boolean {
  return ConnectError.from(err).code === Code.Canceled;
}
