// Stable error codes shared by daemon and CLI. A code never changes meaning;
// the message is for people and may change.
export const ERROR_CODES = [
  'EBADREQUEST', // malformed JSON or a request of the wrong shape
  'EUNKNOWNCMD', // a request naming a command the daemon does not have
  'ETOOLARGE', // a request line over MAX_LINE_BYTES
  'EVERSION', // client and daemon speak different protocol versions
  'ENOPROGRAM', // a name that matches no program or process
  'EBADCONFIG', // a config file that does not validate
  'EBADSIGNAL', // a signal name or number that does not exist
  'ENOTRUNNING', // stop/signal of a process that is not running
  'EALREADY', // start of a process that is already starting or running
  'ESPAWN', // a process that could not be started (reason in the message)
  'ESHUTDOWN', // the daemon is shutting down and refuses new work
  'ECONNECT', // the CLI could not reach the daemon
  'ENOLOG', // a log that is discarded or does not exist
  'EINTERNAL', // a bug: the daemon caught something it did not expect
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

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
