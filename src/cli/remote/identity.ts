// Where a remote taskmasterctl connects and as whom: the host, and the client
// certificate, key and CA it proves itself with. Each comes from its flag,
// else its variable, else the file under ~/.config/taskmaster/. A bearer
// token (--token-file, else TASKMASTER_TOKEN) takes the certificate's and
// key's place; never a flag with the token itself, which every local user
// could read in `ps`. Pure: the caller hands in the environment, the home
// directory and a file reader.
import { UsageError } from '../usage-error';

export const DEFAULT_PORT = 7443;

/** The options of the command line that choose the target (see options.ts). */
export interface TargetFlags {
  host?: string;
  cert?: string;
  key?: string;
  ca?: string;
  tokenFile?: string;
  socket?: string;
  config?: string;
}

/** A file and who named it, so that an error can say where it looked. */
export interface Source {
  path: string;
  from: string; // '--cert', 'TASKMASTER_CERT', or 'the default'
}

/** Where the bearer token comes from: a file, or the variable holding it. */
export type TokenSource = { path: string; from: '--token-file' } | { value: string; from: 'TASKMASTER_TOKEN' };

export interface RemoteTarget {
  host: string; // a name or an address, IPv6 without brackets
  port: number;
  cert: Source;
  key: Source;
  ca: Source;
  /** Set: sign in with this token; cert and key are then not read. */
  token: TokenSource | null;
}

export interface Credentials {
  host: string;
  port: number;
  certFrom: Source; // for errors about the certificate itself
  /** Both null when signing in with a token. */
  cert: Buffer | null;
  key: Buffer | null;
  ca: Buffer;
  token: string | null;
}

interface Piece {
  flag: '--cert' | '--key' | '--ca';
  variable: string;
  file: string;
  what: string;
}

const PIECES: Record<'cert' | 'key' | 'ca', Piece> = {
  cert: { flag: '--cert', variable: 'TASKMASTER_CERT', file: 'client.crt', what: 'client certificate' },
  key: { flag: '--key', variable: 'TASKMASTER_KEY', file: 'client.key', what: 'client key' },
  ca: { flag: '--ca', variable: 'TASKMASTER_CA', file: 'ca.crt', what: 'CA certificate' },
};

/** `HOST`, `HOST:PORT`, `[V6]`, `[V6]:PORT`; a bare IPv6 address takes the default port. */
export function parseHost(text: string, from: string): { host: string; port: number } {
  const bad = (why: string): never => {
    throw new UsageError(`${from} "${text}": ${why} (expected HOST or HOST:PORT, e.g. example.org:${DEFAULT_PORT})`);
  };
  let host = text;
  let port: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1]!;
    port = bracketed[2];
  } else if ((text.match(/:/g) ?? []).length === 1) {
    [host, port] = text.split(':') as [string, string];
  }
  if (host === '') bad('no host');
  if (port === undefined) return { host, port: DEFAULT_PORT };
  if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) bad(`port "${port}" is not 1 to 65535`);
  return { host, port: Number(port) };
}

/** XDG_CONFIG_HOME counts only when absolute, as the XDG spec says. */
export function configDir(env: NodeJS.ProcessEnv, homedir: string): string {
  const xdg = env.XDG_CONFIG_HOME;
  return `${xdg && xdg.startsWith('/') ? xdg : `${homedir}/.config`}/taskmaster`;
}

/**
 * The remote target, or null for the local socket. -H wins over everything;
 * -s/-c (an explicit local socket) win over TASKMASTER_HOST.
 */
export function remoteTarget(flags: TargetFlags, env: NodeJS.ProcessEnv, homedir: () => string): RemoteTarget | null {
  const local = flags.socket !== undefined ? '-s' : flags.config !== undefined ? '-c' : null;
  if (flags.host !== undefined && local) throw new UsageError(`-H and ${local} exclude each other: -H talks to a remote taskmasterd, ${local} to a local one`);
  const hostFrom = flags.host !== undefined ? '-H' : !local && env.TASKMASTER_HOST ? 'TASKMASTER_HOST' : null;
  if (!hostFrom) {
    const stray = (['cert', 'key', 'ca'] as const).find((k) => flags[k] !== undefined);
    if (stray) throw new UsageError(`${PIECES[stray].flag} is for a remote taskmasterd: give -H HOST:PORT (or TASKMASTER_HOST) too`);
    if (flags.tokenFile !== undefined) throw new UsageError('--token-file is for a remote taskmasterd: give -H HOST:PORT (or TASKMASTER_HOST) too');
    return null;
  }
  const token: TokenSource | null =
    flags.tokenFile !== undefined ? { path: flags.tokenFile, from: '--token-file' } : env.TASKMASTER_TOKEN ? { value: env.TASKMASTER_TOKEN, from: 'TASKMASTER_TOKEN' } : null;
  const both = (['cert', 'key'] as const).find((k) => flags[k] !== undefined);
  if (token !== null && both) throw new UsageError(`${PIECES[both].flag} and ${token.from} exclude each other: sign in with a certificate or a token`);
  const { host, port } = parseHost(hostFrom === '-H' ? flags.host! : env.TASKMASTER_HOST!, hostFrom);
  const source = (k: 'cert' | 'key' | 'ca'): Source => {
    const p = PIECES[k];
    if (flags[k] !== undefined) return { path: flags[k]!, from: p.flag };
    if (env[p.variable]) return { path: env[p.variable]!, from: p.variable };
    return { path: `${configDir(env, homedir())}/${p.file}`, from: 'the default' };
  };
  return { host, port, cert: source('cert'), key: source('key'), ca: source('ca'), token };
}

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'a directory, not a file',
};

/**
 * A client certificate out of its dates fails in a way the client cannot
 * see (the server just closes the connection), so it is checked here first.
 */
export function checkValidity(dates: { validFrom: string; validTo: string }, from: Source, now: number): void {
  const where = from.from === 'the default' ? from.path : `${from.path} (from ${from.from})`;
  if (Date.parse(dates.validTo) < now) throw new UsageError(`the client certificate ${where} expired on ${dates.validTo}`);
  if (Date.parse(dates.validFrom) > now) throw new UsageError(`the client certificate ${where} is not valid before ${dates.validFrom}`);
}

/** Reads the three files; the first that cannot be read is a UsageError naming where each was looked for. */
export function readCredentials(target: RemoteTarget, read: (path: string) => Buffer): Credentials {
  const load = (k: 'cert' | 'key' | 'ca'): Buffer => {
    const p = PIECES[k];
    const src = target[k];
    try {
      return read(src.path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const reason = code ? `${READ_ERRORS[code] ?? code} (${code})` : String(e);
      const where =
        src.from === 'the default'
          ? `${src.path}: ${reason}; give ${p.flag} FILE or set ${p.variable}, or put it there`
          : `${src.path} (from ${src.from}): ${reason}`;
      throw new UsageError(`cannot read the ${p.what} for ${target.host}:${target.port}: ${where}`);
    }
  };
  if (target.token === null) return { host: target.host, port: target.port, certFrom: target.cert, cert: load('cert'), key: load('key'), ca: load('ca'), token: null };
  return { host: target.host, port: target.port, certFrom: target.cert, cert: null, key: null, ca: load('ca'), token: tokenOf(target.token, target, read) };
}

function tokenOf(src: TokenSource, target: RemoteTarget, read: (path: string) => Buffer): string {
  let text: string;
  if (src.from === 'TASKMASTER_TOKEN') text = src.value;
  else {
    try {
      text = read(src.path).toString('utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(`cannot read the token for ${target.host}:${target.port}: ${src.path} (from --token-file): ${code ? `${READ_ERRORS[code] ?? code} (${code})` : String(e)}`);
    }
  }
  const token = text.trim();
  // Never shown back: the message names where it came from, not what it holds.
  const where = src.from === 'TASKMASTER_TOKEN' ? 'TASKMASTER_TOKEN' : `${src.path} (from --token-file)`;
  if (!/^[\x21-\x7e]+$/.test(token)) throw new UsageError(`${where}: not a token (one line of printable characters, as \`taskmasterctl token create\` prints)`);
  return token;
}
