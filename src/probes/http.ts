// An HTTP(S) probe: one GET, passes on a 2xx answer. A redirect is not
// followed (a 3xx fails): a health endpoint that redirects is misconfigured,
// and following it could probe another host than the one configured.
import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { probeEnd } from './timeout';

/** Resolves null on success, else a short reason ("HTTP 503", "connection refused"); never rejects. */
export function probeHttp(url: string, timeoutMs: number, signal?: AbortSignal): Promise<string | null> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve('aborted');
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return resolve(`not a URL: ${url}`);
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') return resolve(`not an http(s) URL: ${url}`);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    let req: ClientRequest | null = null;
    // One deadline for the whole exchange: DNS, connect and the status line.
    const finish = probeEnd(timeoutMs, signal, resolve, () => req?.destroy());
    // agent: false: no kept-alive socket lingers between probes.
    req = send(target, { method: 'GET', agent: false, headers: { 'user-agent': 'taskmaster-probe' } }, (res) => {
      const code = res.statusCode ?? 0;
      res.resume(); // the body is not wanted; destroying the request below ends it
      finish(code >= 200 && code < 300 ? null : `HTTP ${code}`);
    });
    req.once('error', (err: NodeJS.ErrnoException) => finish(err.code === 'ECONNREFUSED' ? 'connection refused' : (err.code ?? err.message)));
    req.end();
  });
}
