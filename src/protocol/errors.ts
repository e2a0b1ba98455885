// Stable error codes shared by daemon, gateway and CLI. A code never changes
// meaning; the message is for people and may change. Each code has the gRPC
// status the remote API answers it with; the code itself travels beside it
// (an ErrorInfo detail), so a remote CLI shows the same text and exits the same.
// Named, not numbered: the CLI on the local socket never loads Connect (its
// start-up is timed); the gateway turns the name into Connect's Code.
import type { Code } from '@connectrpc/connect';

export const GRPC_CODE_OF = {
  EBADREQUEST: 'InvalidArgument', // malformed JSON or a request of the wrong shape
  EUNKNOWNCMD: 'Unimplemented', // a request naming a command the daemon does not have
  ETOOLARGE: 'ResourceExhausted', // a request line over MAX_LINE_BYTES
  EVERSION: 'FailedPrecondition', // client and daemon speak different protocol versions
  ENOPROGRAM: 'NotFound', // a name that matches no program or process
  EBADCONFIG: 'FailedPrecondition', // a config file that does not validate
  EBADSIGNAL: 'InvalidArgument', // a signal name or number that does not exist
  ENOTRUNNING: 'FailedPrecondition', // stop/signal of a process (or job) that is not running
  EALREADY: 'AlreadyExists', // start of a process that is already starting or running
  ESPAWN: 'FailedPrecondition', // a process that could not be started (reason in the message)
  ESHUTDOWN: 'Unavailable', // the daemon is shutting down and refuses new work
  ECONNECT: 'Unavailable', // the CLI could not reach the daemon
  ENOLOG: 'NotFound', // a log that is discarded or does not exist
  ENOREMOTE: 'FailedPrecondition', // needs the remote API (taskmasterd.remote), which is not configured or not up
  ENOJOB: 'NotFound', // a job id that does not exist, or is not the caller's: the same answer
  ETOOMANYJOBS: 'ResourceExhausted', // the caller already runs its maximum of jobs
  EPERM: 'PermissionDenied', // an identity without the right for this command
  EUNAUTHENTICATED: 'Unauthenticated', // no identity at all (no valid certificate or token)
  ENOTOKEN: 'NotFound', // revoke of a token name that does not exist
  ETOKENSTORE: 'FailedPrecondition', // tokens without a remote API, or a tokens file that cannot be read or written
  ENOLIMITS: 'FailedPrecondition', // cgroup limits asked where this host cannot apply them (no usable cgroup v2 subtree or controller)
  ENOINPUT: 'FailedPrecondition', // input to a process whose stdin the daemon does not hold (neither stdin: pipe nor tty: true), or that has not read what waits
  EINTERNAL: 'Internal', // a bug: the daemon caught something it did not expect
  EDEPENDENTS: 'FailedPrecondition', // stop of a program that running programs depend on (depends_on), without --with-dependents
  EDEPENDENCY: 'FailedPrecondition', // start held back: a program it depends on has failed or is stopped (it starts once that runs)
} as const satisfies Record<string, keyof typeof Code>;

export type ErrorCode = keyof typeof GRPC_CODE_OF;
export const ERROR_CODES = Object.keys(GRPC_CODE_OF) as readonly ErrorCode[];

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
}

/** An error as a value: thrown or returned inside one program, sent as ErrorInfo across the socket. */
export class TaskmasterError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TaskmasterError';
  }

  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

const SHOWN_CHARS = 80;

/**
 * A value a client sent, for an error message: JSON, cut to a few dozen
 * characters. Messages are logged and sent back, so they must not grow with
 * the request (a 1 MB name) or fail on it (JSON.stringify throws RangeError
 * on an array nested 100,000 deep, which JSON.parse accepts).
 */
export function shown(value: unknown): string {
  let text: string;
  try {
    // String(): JSON.stringify turns 1e400 (parsed as Infinity) into "null".
    text = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? 'nothing');
  } catch {
    return Array.isArray(value) ? 'a list nested too deep to show' : 'an object nested too deep to show';
  }
  return text.length <= SHOWN_CHARS ? text : `${text.slice(0, SHOWN_CHARS)}… (${text.length} characters)`;
}
