// The shapes of the command handlers (handlers.ts, job-handlers.ts) and of
// the stream a streaming one sends through, as the connection calls them.
import type { Identity } from '../authz/identity';
import type { CommandName, InputOf, OutputInitOf, StreamCommand, UnaryCommand } from '../protocol/commands';
import type { DaemonControl } from './control';

/** Where a streaming command sends its items, and how it learns the client left. */
export interface Stream<C extends StreamCommand> {
  /** Sends one item at once; a client that lets too much wait is cut off (connection.ts). */
  send(item: OutputInitOf<C>): void;
  /** Resolves when the client has taken most of what waits for it (or left): for sources that can wait. */
  drained(): Promise<void>;
  /** Aborted when the client leaves; a follow ends then. */
  closed: AbortSignal;
}

export type UnaryHandler<C extends UnaryCommand> = (
  ctl: DaemonControl,
  identity: Identity,
  request: InputOf<C>,
) => OutputInitOf<C> | Promise<OutputInitOf<C>>;
export type StreamHandler<C extends StreamCommand> = (
  ctl: DaemonControl,
  identity: Identity,
  request: InputOf<C>,
  out: Stream<C>,
) => Promise<void>;
export type HandlerOf<C extends CommandName> = C extends StreamCommand ? StreamHandler<C> : C extends UnaryCommand ? UnaryHandler<C> : never;
