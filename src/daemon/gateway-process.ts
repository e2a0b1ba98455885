// The gateway as one of the daemon's own internal programs: started as its
// unprivileged user with its settings on stdin, told of new certificates on
// reload, restarted if it dies (at once the first time, then backing off up
// to a cap while it keeps dying young), stopped at shutdown (stdin closed
// and SIGTERM, SIGKILL after a grace). Its stderr, JSON lines, goes into
// the daemon's log tagged as the gateway's. The OS is reached through
// GatewayEdges only, so that all of this runs against fakes in tests.
import type pino from 'pino';
import type { GatewaySettings } from '../gateway/settings';
import type { Account } from '../config/accounts';

export interface GatewayChild {
  readonly pid: number | undefined;
  /** One line on the child's stdin. */
  write(line: string): void;
  endInput(): void;
  kill(signal: NodeJS.Signals): void;
}

export interface GatewayChildEvents {
  stdoutLine(line: string): void;
  stderrLine(line: string): void;
  exit(code: number | null, signal: NodeJS.Signals | null): void;
}

export interface GatewayEdges {
  /** `taskmaster gateway` as `account` (null: as the daemon runs). */
  spawn(account: Account | null, events: GatewayChildEvents): GatewayChild;
  /** Monotonic milliseconds. */
  now(): number;
  /** Calls `fn` after `ms`; returns what cancels it. */
  after(ms: number, fn: () => void): () => void;
}

/** What a gateway is started with; a change of listen or account takes a new process. */
export interface GatewayLaunch {
  settings: GatewaySettings;
  account: Account | null;
}

export const RESTART_DELAY_MS = 500;
export const RESTART_DELAY_MAX_MS = 30_000;
/** A gateway that lived this long before dying restarts at the first delay again. */
export const STABLE_AFTER_MS = 10_000;
export const KILL_GRACE_MS = 3_000;

type State =
  | { kind: 'running'; child: GatewayChild; since: number }
  | { kind: 'waiting'; cancel: () => void } // died; restart timer set
  | { kind: 'stopping'; child: GatewayChild; cancelKill: () => void; done: Promise<void>; exited: () => void }
  | { kind: 'stopped' };

export class GatewayKeeper {
  private state: State = { kind: 'stopped' };
  private deathsInARow = 0;
  /** The settings line the current child was last given. */
  private sent = '';
  /** Where the running gateway listens, from its stdout: with listen port 0 only it knows the port. */
  private address: { address: string; port: number } | null = null;

  constructor(
    private launch: GatewayLaunch,
    private readonly edges: GatewayEdges,
    private readonly log: pino.Logger,
  ) {}

  start(): void {
    if (this.state.kind === 'running' || this.state.kind === 'stopping') return;
    if (this.state.kind === 'waiting') this.state.cancel();
    const events: GatewayChildEvents = {
      stdoutLine: (line) => this.onStdout(line),
      stderrLine: (line) => relayGatewayLine(this.log, line),
      exit: (code, signal) => this.onExit(child, code, signal),
    };
    this.address = null;
    const child = this.edges.spawn(this.launch.account, events);
    this.sent = JSON.stringify(this.launch.settings);
    child.write(`${this.sent}\n`);
    this.state = { kind: 'running', child, since: this.edges.now() };
    this.log.info({ gateway: child.pid, user: this.launch.account?.name ?? null }, `remote API gateway started (pid ${child.pid})`);
  }

  /** After a reload: new certificates go to the running gateway; a new address or user takes a new one. */
  async update(next: GatewayLaunch): Promise<void> {
    const prev = this.launch;
    this.launch = next;
    const listen = (l: GatewayLaunch): string => JSON.stringify([l.settings.listen, l.settings.socket, l.account?.uid, l.account?.gid]);
    if (listen(prev) !== listen(next)) {
      this.log.info({}, 'remote API: new address, socket or user; restarting the gateway');
      await this.stop();
      this.start();
      return;
    }
    const line = JSON.stringify(next.settings);
    if (this.state.kind !== 'running' || line === this.sent) return; // a waiting gateway starts with it
    this.state.child.write(`${line}\n`);
    this.sent = line;
    this.log.info({}, 'remote API: new settings (certificates, CRL, identity rule or tokens) sent to the gateway');
  }

  /** The address and port the running gateway listens on; null before it says so, or when none runs. */
  listening(): { address: string; port: number } | null {
    return this.state.kind === 'running' ? this.address : null;
  }

  /** Resolves once no gateway runs. */
  stop(): Promise<void> {
    switch (this.state.kind) {
      case 'stopped':
        return Promise.resolve();
      case 'waiting':
        this.state.cancel();
        this.state = { kind: 'stopped' };
        return Promise.resolve();
      case 'stopping':
        return this.state.done;
      case 'running': {
        const { child } = this.state;
        let exited = (): void => undefined;
        const done = new Promise<void>((r) => (exited = r));
        child.endInput();
        child.kill('SIGTERM');
        const cancelKill = this.edges.after(KILL_GRACE_MS, () => {
          this.log.warn({ gateway: child.pid }, `the gateway did not stop within ${KILL_GRACE_MS} ms of SIGTERM; SIGKILL`);
          child.kill('SIGKILL');
        });
        this.state = { kind: 'stopping', child, cancelKill, done, exited };
        return done;
      }
      default:
        return unknownState(this.state);
    }
  }

  private onStdout(line: string): void {
    try {
      const { listening } = JSON.parse(line) as { listening?: { address: string; port: number } };
      if (listening !== undefined) {
        this.address = { address: listening.address, port: listening.port };
        return void this.log.info({ ...listening }, `remote API listening on ${listening.address}:${listening.port}`);
      }
    } catch {
      // not ours to parse; shown as is below
    }
    this.log.info({}, `gateway: ${line}`);
  }

  private onExit(child: GatewayChild, code: number | null, signal: NodeJS.Signals | null): void {
    const s = this.state;
    if (s.kind === 'stopping' && s.child === child) {
      s.cancelKill();
      this.state = { kind: 'stopped' };
      s.exited();
      return;
    }
    if (s.kind !== 'running' || s.child !== child) return; // an older child's late news
    // running → waiting: it died on its own.
    const lived = this.edges.now() - s.since;
    this.deathsInARow = lived >= STABLE_AFTER_MS ? 1 : this.deathsInARow + 1;
    const delay = Math.min(RESTART_DELAY_MS * 2 ** (this.deathsInARow - 1), RESTART_DELAY_MAX_MS);
    this.log.error({ gateway: child.pid, code, signal }, `the remote API gateway exited (${signal ?? `code ${code}`}); restarting in ${delay} ms`);
    this.state = { kind: 'waiting', cancel: this.edges.after(delay, () => this.restart()) };
  }

  private restart(): void {
    if (this.state.kind !== 'waiting') return;
    this.state = { kind: 'stopped' };
    this.start();
  }
}

function unknownState(s: never): never {
  throw new Error(`BUG: unknown gateway state ${JSON.stringify(s)}`);
}

const LEVELS: Record<number, pino.Level> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** One line of the gateway's stderr into the daemon's log: its level, message and fields, tagged `gateway: PID`. */
export function relayGatewayLine(log: pino.Logger, line: string): void {
  if (line.trim() === '') return;
  let entry: Record<string, unknown> | null = null;
  try {
    const parsed = JSON.parse(line) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) entry = parsed as Record<string, unknown>;
  } catch {
    // not JSON: a crash trace, say; kept whole
  }
  if (entry === null) return void log.warn({ gateway: true }, `gateway: ${line}`);
  const { level, time: _time, pid, msg, ...fields } = entry;
  log[LEVELS[level as number] ?? 'info']({ ...fields, gateway: pid ?? true }, `gateway: ${typeof msg === 'string' ? msg : ''}`);
}
