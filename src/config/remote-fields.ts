// `taskmasterd.remote`: the remote API (gRPC over mutual TLS), served by the
// gateway, an unprivileged process of its own (src/gateway). Absent: no
// listener. A table like the daemon's; here `restart` means a restart of the
// gateway process, `in-place` a new settings line it applies without dropping
// a connection (certificates, CRL, users). The certificate files are read and
// checked as the config is loaded (remote-tls.ts).
import { join } from 'node:path';
import { isMap, isScalar } from 'yaml';
import { field, keysOf, knownFields, readFields, withDefaults, type SettingsOf } from './field-table';
import { readChoice, readDuration, readPath, readString } from './fields';
import type { Scope } from './issues';
import { expected, isNull, type Field } from './nodes';
import { loadTlsMaterial, type TlsMaterial } from './remote-tls';
import { readUsers, type RemoteUsers } from './remote-users';
import type { SourceFile } from './source';

export const DEFAULT_REMOTE_PORT = 7443;
const IDENTITY_RULES = ['cn', 'san'] as const;

export interface ListenAddress {
  host: string;
  port: number;
}

export const REMOTE_FIELDS = {
  // "host:port", "[v6]:port", or a host alone (port 7443). Port 0: any free port (tests).
  listen: field<ListenAddress>({ default: { host: '0.0.0.0', port: DEFAULT_REMOTE_PORT }, read: readListen, onChange: 'restart' }),
  // The server certificate (with its chain, if any) and its key, PEM.
  cert: field<string>({ default: '', required: 'the server certificate file (PEM)', read: (s, f) => readPath(s, f, false) ?? undefined, onChange: 'in-place' }),
  key: field<string>({ default: '', required: "the server certificate's private key file (PEM)", read: (s, f) => readPath(s, f, false) ?? undefined, onChange: 'in-place' }),
  // Clients must present a certificate this CA signed.
  client_ca: field<string>({ default: '', required: 'the CA certificate file (PEM) that signs client certificates', read: (s, f) => readPath(s, f, false) ?? undefined, onChange: 'in-place' }),
  // Revoked client certificates; null: none.
  crl: field<string | null>({ default: null, read: (s, f) => readPath(s, f, true), onChange: 'in-place' }),
  // cn: the subject's CN; san: the first URI, DNS or email subjectAltName, in the certificate's order.
  identity: field<(typeof IDENTITY_RULES)[number]>({ default: 'cn', read: (s, f) => readChoice(s, f, IDENTITY_RULES), onChange: 'in-place' }),
  // The gateway's unprivileged user, when the daemon is root (remote-accounts.ts).
  user: field<string>({ default: 'taskmaster', read: (s, f) => readString(s, f, 'a user name'), onChange: 'restart' }),
  // The daemon's socket for the gateway alone; null: gateway.sock beside the control socket.
  socket: field<string | null>({ default: null, read: (s, f) => readPath(s, f, true), onChange: 'restart' }),
  users: field<RemoteUsers>({ default: {}, read: readUsers, onChange: 'in-place' }),
  // The bearer tokens' file (hashes, never secrets), the daemon's own; null:
  // tokens.json in childlogdir (tokensFileOf). Read at the daemon's start.
  tokens_file: field<string | null>({ default: null, read: (s, f) => readPath(s, f, true), onChange: 'restart' }),
  // Seconds a streaming call may wait on a client that takes none of its
  // answer before the gateway ends it (RESOURCE_EXHAUSTED); 0: never. Local
  // clients are not concerned (the daemon paces them).
  stall_timeout: field<number>({ default: 30, read: readDuration, onChange: 'in-place' }),
  // Where clients reach the gateway, "https://host[:port]", for the log links
  // of `taskmasterctl http` when listen is not that address (0.0.0.0, a
  // proxy, NAT); null: listen's host and port (the hostname for 0.0.0.0 or ::).
  public_url: field<string | null>({ default: null, read: readPublicUrl, onChange: 'in-place' }),
};

export type RemoteSettings = SettingsOf<typeof REMOTE_FIELDS>;
export type RemoteKey = keyof RemoteSettings;

/** The remote API as configured, with the certificate files' checked contents. */
export interface RemoteConfig extends RemoteSettings {
  tls: TlsMaterial;
}

/** The reader of the `remote` entry in daemon-fields.ts: null when absent or null. */
export function readRemote(s: Scope, f: Field, src: SourceFile): RemoteConfig | null | undefined {
  if (isNull(f.node)) return null;
  if (f.node === null || !isMap(f.node)) {
    s.error(f.at, f.name, expected(`a map with keys ${keysOf(REMOTE_FIELDS).join(', ')}`, f.node));
    return undefined;
  }
  const rs = s.below(f.name);
  const fields = knownFields(REMOTE_FIELDS, src, rs, f.node);
  const read = readFields(REMOTE_FIELDS, fields, rs, src, f.keyAt);
  const settings = withDefaults(REMOTE_FIELDS, read);
  const [cert, key, ca] = [fields.get('cert'), fields.get('key'), fields.get('client_ca')];
  // Only files whose paths were read: a missing key was reported already.
  if (read.cert === undefined || read.key === undefined || read.client_ca === undefined || cert === undefined || key === undefined || ca === undefined) return undefined;
  const crl = fields.get('crl');
  const tls = loadTlsMaterial(rs, { cert, key, client_ca: ca, crl }, { cert: read.cert, key: read.key, client_ca: read.client_ca, crl: settings.crl }, Date.now());
  return tls === undefined ? undefined : { ...settings, tls };
}

/**
 * Where the tokens are kept: tokens_file, else tokens.json in childlogdir —
 * on disk (not in /run, a tmpfs, which would revoke every token at each
 * boot), in a directory the daemon can still write after it drops privileges.
 */
export function tokensFileOf(remote: Pick<RemoteSettings, 'tokens_file'>, childlogdir: string): string {
  return remote.tokens_file ?? join(childlogdir, 'tokens.json');
}

function readPublicUrl(s: Scope, f: Field): string | null | undefined {
  if (isNull(f.node)) return null;
  const what = 'an https origin, "https://host[:port]", or null';
  const text = readString(s, f, what);
  if (text === undefined) return undefined;
  let url: URL | null = null;
  try {
    url = new URL(text.trim());
  } catch {
    // reported below
  }
  // An origin only: links add their own path, and a query, fragment or user would be mangled by it.
  if (url !== null && url.protocol === 'https:' && url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '' && url.password === '') return url.origin;
  s.error(f.at, f.name, expected(what, f.node));
  return undefined;
}

function readListen(s: Scope, f: Field): ListenAddress | undefined {
  const value = f.node !== null && isScalar(f.node) ? f.node.value : undefined;
  const text = typeof value === 'number' ? `:${value}` : typeof value === 'string' ? value.trim() : '';
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]*))(?::(\d{1,5}))?$/.exec(text);
  const host = m?.[1] ?? m?.[2] ?? '';
  const port = m?.[3] === undefined ? DEFAULT_REMOTE_PORT : Number(m[3]);
  if (m !== null && text !== '' && port <= 65535) return { host: host === '' ? '0.0.0.0' : host, port };
  s.error(f.at, f.name, expected(`"host:port", "[ipv6]:port" or a host (port ${DEFAULT_REMOTE_PORT}), e.g. "0.0.0.0:${DEFAULT_REMOTE_PORT}"`, f.node));
  return undefined;
}
