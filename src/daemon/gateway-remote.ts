// The remote API inside the daemon: the gateway socket and the gateway
// process, opened at start, told of reloads, closed at shutdown. Its socket
// is made before the daemon drops privileges (its directory may be root's);
// the gateway is started after, so that it never starts with root's rights
// by mistake.
import { unlinkSync } from 'node:fs';
import type { Server, Socket } from 'node:net';
import { hostname } from 'node:os';
import type pino from 'pino';
import { daemonStaysRoot } from '../config/remote-accounts';
import type { RemoteConfig } from '../config/remote-fields';
import type { DaemonSettings } from '../config/types';
import type { Account } from '../config/accounts';
import { GatewayKeeper, type GatewayEdges, type GatewayLaunch } from './gateway-process';
import { gatewayAccount, gatewaySettingsOf, gatewaySocketPath } from './gateway-settings';
import { listenGatewaySocket } from './gateway-socket';
import type { TokenStore } from '../tokens/token-store';
import { linkOrigin } from '../protocol/log-link';

export class RemoteApi {
  private keeper: GatewayKeeper | null = null;

  private constructor(
    private remote: RemoteConfig,
    /** As started: a reload does not move the socket or change the gateway's user. */
    private readonly socketPath: string,
    private readonly owner: Account | null,
    private readonly spawnAsOwner: boolean,
    private readonly socket: Server,
    private readonly log: pino.Logger,
    private readonly tokens: TokenStore | null,
    /** Signs log links; the gateway checks them with it (settings line). Never logged. */
    private readonly linkKey: Uint8Array,
  ) {}

  /**
   * Null when the config has no `remote:`. Throws when the socket cannot be
   * made. `serve` serves each of the gateway's connections as the gateway's
   * (requests "as" an identity), never as the local socket's.
   */
  static async open(daemon: DaemonSettings, log: pino.Logger, linkKey: Uint8Array, serve: (socket: Socket) => void, tokens: TokenStore | null): Promise<RemoteApi | null> {
    const remote = daemon.remote;
    if (remote === null) return null;
    const owner = gatewayAccount(daemon, remote);
    const path = gatewaySocketPath(daemon, remote);
    const socket = await listenGatewaySocket(path, owner, serve);
    socket.on('error', (err) => log.error({ err: err.message }, `gateway socket error: ${err.message}`));
    // Only root can start it as another user; otherwise it inherits the daemon's.
    return new RemoteApi(remote, path, owner, daemonStaysRoot(daemon.user), socket, log, tokens, linkKey);
  }

  /** A reload when the daemon started without a remote API: one comes only with a restart. */
  static reloadedWithout(next: DaemonSettings, log: pino.Logger): void {
    if (next.remote !== null) log.warn({}, 'taskmasterd.remote: a remote API added by a reload starts at the next daemon start');
  }

  /** After the privilege drop. */
  start(edges: GatewayEdges): void {
    this.keeper = new GatewayKeeper(this.launch(), edges, this.log);
    this.keeper.start();
    // A token made or revoked: the gateway learns it before the command is
    // answered (the line is written synchronously, ahead of the answer).
    this.tokens?.onChange(() => void this.keeper?.update(this.launch()));
  }

  /** A reload that succeeded: certificates, CRL, identity rule and address apply now; the socket and the user at the next start. */
  reloaded(next: DaemonSettings): void {
    const remote = next.remote;
    if (remote === null || gatewaySocketPath(next, remote) !== this.socketPath || remote.user !== this.remote.user || remote.tokens_file !== this.remote.tokens_file) {
      this.log.warn({}, 'taskmasterd.remote: removing it, or a new socket, user or tokens_file, takes effect at the next daemon start');
      if (remote === null) return;
    }
    this.remote = { ...remote, user: this.remote.user, tokens_file: this.remote.tokens_file };
    void this.keeper?.update(this.launch());
  }

  /**
   * Where log links point (protocol/log-link.ts linkOrigin); null while the
   * gateway is not listening and the config does not say (listen port 0).
   */
  linkOrigin(): string | null {
    const { public_url: publicUrl, listen } = this.remote;
    if (publicUrl !== null) return linkOrigin(publicUrl, listen, hostname());
    const port = listen.port !== 0 ? listen.port : this.keeper?.listening()?.port;
    return port === undefined ? null : linkOrigin(null, { host: listen.host, port }, hostname());
  }

  async stop(): Promise<void> {
    await this.keeper?.stop();
    this.socket.close();
    try {
      unlinkSync(this.socketPath);
    } catch {
      // already gone, or not ours to remove after a privilege drop
    }
  }

  private launch(): GatewayLaunch {
    return { settings: gatewaySettingsOf(this.remote, this.socketPath, this.tokens?.verifiers() ?? [], this.linkKey), account: this.spawnAsOwner ? this.owner : null };
  }
}
