// An HTTP probe: does the URL answer 2xx to a GET? Shared by readiness
// (`ready: {http}`) and health checks. A redirect is an answer, not
// followed: 3xx fails, with its status. https is not verified against a CA
// here: a program's own certificate, often self-signed, should not make it
// look unready.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { settleOnce, timedOut } from './settle';
import { networkReason } from './tcp';

/** null on a 2xx answer; otherwise why not ("HTTP 503", "connection refused"). Never rejects. */
export function probeHttp(url: string, timeoutMs: number, signal?: AbortSignal): Promise<string | null> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve('aborted');
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return resolve(`not a URL: ${url}`);
    }
    const secure = parsed.protocol === 'https:';
    if (!secure && parsed.protocol !== 'http:') return resolve(`not an http(s) URL: ${url}`);
    const send = secure ? httpsRequest : httpRequest;
    const req = send(parsed, { method: 'GET', agent: false, headers: { 'user-agent': 'taskmaster-probe' }, ...(secure ? { rejectUnauthorized: false } : {}) });
    const finish = settleOnce(resolve, () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      req.destroy();
    });
    const onAbort = (): void => finish('aborted');
    const timer = setTimeout(() => finish(timedOut(timeoutMs)), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    req.once('response', (res) => {
      const status = res.statusCode ?? 0;
      res.resume(); // the body is not wanted; destroy() below closes the connection
      finish(status >= 200 && status < 300 ? null : `HTTP ${status}`);
    });
    req.once('error', (err: NodeJS.ErrnoException) => finish(networkReason(err)));
    req.end();
  });
}
