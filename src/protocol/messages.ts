// The socket protocol, defined once for daemon and CLI: one JSON object per
// line. The client's first request is `hello` with PROTOCOL_VERSION; the
// daemon answers every request with a Response of the same id. Streaming
// commands (tail/maintail with follow) answer with Chunk messages after their
// Response until the client closes the connection.
import type { StateKind } from '../core/states';
import type { ErrorInfo } from './errors';

export const PROTOCOL_VERSION = 1;
/** The longest request line the daemon reads. */
export const MAX_LINE_BYTES = 1024 * 1024;
/**
 * The longest line the CLI reads from the daemon. Answers are bigger than
 * requests: `tail -n` returns up to 1 MiB of log, which JSON escaping can
 * grow sixfold, and `status` of 10,000 processes is about 2 MiB.
 */
export const MAX_REPLY_LINE_BYTES = 64 * 1024 * 1024;

export type StreamName = 'stdout' | 'stderr';

export type Request =
  | { id: number; cmd: 'hello'; version: number }
  | { id: number; cmd: 'status'; names: string[] }
  | { id: number; cmd: 'start'; names: string[] }
  | { id: number; cmd: 'stop'; names: string[] }
  | { id: number; cmd: 'restart'; names: string[] }
  | { id: number; cmd: 'signal'; signal: string; names: string[] }
  | { id: number; cmd: 'reload' }
  | { id: number; cmd: 'config'; name: string }
  | { id: number; cmd: 'tail'; name: string; stream: StreamName; lines: number; follow: boolean }
  | { id: number; cmd: 'maintail'; lines: number; follow: boolean }
  | { id: number; cmd: 'pid'; name: string | null }
  | { id: number; cmd: 'shutdown' }
  | { id: number; cmd: 'version' };

export type CommandName = Request['cmd'];

// The commands at run time, for the boundary check. Typed by the union, so a
// command added to Request and not here (or here and not there) fails to compile.
const COMMAND_SET: Readonly<Record<CommandName, true>> = {
  hello: true, status: true, start: true, stop: true, restart: true, signal: true, reload: true, config: true,
  tail: true, maintail: true, pid: true, shutdown: true, version: true,
};
export const COMMAND_NAMES = Object.keys(COMMAND_SET) as readonly CommandName[];
export type RequestOf<C extends CommandName> = Extract<Request, { cmd: C }>;

/** The state names of supervisord: the core's states, sent as they are. */
export type ProcessStateName = StateKind;

export interface ProcessStatus {
  name: string; // process name: `prog` or `prog:N`
  program: string;
  state: ProcessStateName;
  pid: number | null;
  exitcode: number | null; // last exit code; null when it never exited or died by a signal
  exitsignal: string | null; // e.g. 'SIGKILL' when the last exit was by a signal
  uptime_s: number | null; // seconds since spawn while STARTING/RUNNING/STOPPING
  description: string; // one line, as supervisorctl shows it
}

/** Per-process outcome of start/stop/restart/signal. */
export interface ActionOutcome {
  name: string;
  ok: boolean;
  state: ProcessStateName;
  error: ErrorInfo | null;
}

export interface ReloadDiff {
  added: string[]; // programs
  removed: string[];
  restarted: string[]; // changed in a way that needs a restart
  updated: string[]; // changed, applied in place
  unchanged: string[];
}

export interface VersionInfo {
  version: string;
  protocol: number;
}

export interface ResultOf {
  hello: VersionInfo;
  status: ProcessStatus[];
  start: ActionOutcome[];
  stop: ActionOutcome[];
  restart: ActionOutcome[];
  signal: ActionOutcome[];
  reload: ReloadDiff;
  config: Record<string, unknown>[]; // effective config of each matched program
  tail: { data: string };
  maintail: { data: string };
  pid: { name: string; pid: number | null }[];
  shutdown: Record<string, never>;
  version: VersionInfo;
}

export type Response<C extends CommandName = CommandName> =
  | { id: number; ok: true; result: ResultOf[C] }
  | { id: number; ok: false; error: ErrorInfo };

/** A piece of a followed log, sent after the tail/maintail Response. */
export interface Chunk {
  id: number;
  chunk: string;
}

export type ServerMessage = Response | Chunk;
