// What the daemon tells the gateway, one JSON line at a time on the
// gateway's stdin: the first line starts the listener, each later one swaps
// the TLS material (and the identity rule) in place. PEM contents, not paths:
// the gateway runs as a user that cannot read root's files, and is given
// exactly what the daemon checked when it loaded the config. Also the
// tokens' verifiers, sent anew whenever a token is made or revoked.
import { type TokenVerifier, verifierOf } from '../tokens/token-secret';
import { LINK_KEY_BYTES } from '../protocol/log-link';
export interface GatewaySettings {
  listen: { host: string; port: number };
  cert: string;
  key: string;
  /** The CA that signs client certificates. */
  ca: string;
  crl: string | null;
  /** Which name of the client certificate is the identity (config: taskmasterd.remote.identity). */
  identity: 'cn' | 'san';
  /** The daemon's socket for the gateway. */
  socket: string;
  /** Seconds a streaming call waits on a client that takes nothing before it is cut (config: taskmasterd.remote.stall_timeout); 0: never. */
  stall_timeout: number;
  /** The bearer tokens, to check secrets against: hashes, never secrets (the daemon's token store). */
  tokens: TokenVerifier[];
  /**
   * The key that signs log links (protocol/log-link.ts), base64: drawn by the
   * daemon at its start, held in memory only, the same on every line until
   * the daemon restarts.
   */
  link_key: string;
}

export type ParsedSettings = { ok: true; settings: GatewaySettings } | { ok: false; message: string };

const isText = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** One settings line; the message names the first field that is wrong (never its value: it may be a key). */
export function parseSettings(line: string): ParsedSettings {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return { ok: false, message: 'a settings line that is not JSON' };
  }
  if (typeof v !== 'object' || v === null) return { ok: false, message: 'a settings line that is not a JSON object' };
  const listen = v.listen as { host?: unknown; port?: unknown } | null | undefined;
  const port = listen?.port;
  if (!isText(listen?.host) || typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    return { ok: false, message: 'settings: listen must be {host, port}' };
  }
  for (const key of ['cert', 'key', 'ca', 'socket'] as const) if (!isText(v[key])) return { ok: false, message: `settings: ${key} must be a non-empty string` };
  if (v.crl !== null && !isText(v.crl)) return { ok: false, message: 'settings: crl must be a string or null' };
  if (v.identity !== 'cn' && v.identity !== 'san') return { ok: false, message: 'settings: identity must be "cn" or "san"' };
  if (!Array.isArray(v.tokens)) return { ok: false, message: 'settings: tokens must be a list' };
  const tokens = v.tokens.map(verifierOf);
  if (tokens.some((t) => t === null)) return { ok: false, message: 'settings: tokens holds an entry that is not a token verifier' };
  const stall = v.stall_timeout;
  if (typeof stall !== 'number' || !Number.isFinite(stall) || stall < 0) return { ok: false, message: 'settings: stall_timeout must be seconds >= 0' };
  if (!isText(v.link_key) || Buffer.from(v.link_key, 'base64').length !== LINK_KEY_BYTES) return { ok: false, message: `settings: link_key must be ${LINK_KEY_BYTES} bytes in base64` };
  return {
    ok: true,
    settings: {
      listen: { host: listen.host, port },
      cert: v.cert as string,
      key: v.key as string,
      ca: v.ca as string,
      crl: v.crl as string | null,
      identity: v.identity,
      socket: v.socket as string,
      stall_timeout: stall,
      tokens: tokens as TokenVerifier[],
      link_key: v.link_key,
    },
  };
}
