// From the daemon's config to what the gateway process is given: its
// settings line (gateway/settings.ts), the account it runs as, and the path
// of the daemon's socket for it.
import { dirname, join } from 'node:path';
import { daemonStaysRoot } from '../config/remote-accounts';
import type { RemoteConfig } from '../config/remote-fields';
import type { DaemonSettings } from '../config/types';
import type { GatewaySettings } from '../gateway/settings';
import type { TokenVerifier } from '../tokens/token-secret';
import { type Account, AccountCache } from '../config/accounts';

/** remote.socket, or gateway.sock beside the control socket. */
export function gatewaySocketPath(daemon: DaemonSettings, remote: RemoteConfig): string {
  return remote.socket ?? join(dirname(daemon.socket), 'gateway.sock');
}

/** `socket`: the daemon's socket for the gateway (gatewaySocketPath, as the daemon opened it); `tokens`: the token store's verifiers; `linkKey`: what signs log links. */
export function gatewaySettingsOf(remote: RemoteConfig, socket: string, tokens: TokenVerifier[], linkKey: Uint8Array): GatewaySettings {
  const { tls } = remote;
  return {
    listen: remote.listen,
    cert: tls.cert,
    key: tls.key.pem,
    ca: tls.ca,
    crl: tls.crl,
    identity: remote.identity,
    socket,
    stall_timeout: remote.stall_timeout,
    tokens,
    link_key: Buffer.from(linkKey).toString('base64'),
  };
}

/**
 * Who the gateway runs as: remote.user when the daemon stays root; else the
 * daemon's own user (null: as the daemon runs now, the child inherits it).
 * The config check made sure remote.user exists; a lookup that fails now
 * (the account deleted since) is an error for the caller to report.
 */
export function gatewayAccount(daemon: DaemonSettings, remote: RemoteConfig, accounts = new AccountCache()): Account | null {
  const user = daemonStaysRoot(daemon.user) ? remote.user : daemon.user;
  if (user === null) return null;
  const found = accounts.lookup(user);
  if (!found.ok) throw new Error(`taskmasterd.remote.user: ${found.reason}`);
  return found.account;
}
