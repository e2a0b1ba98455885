// The one place where an error becomes text and an exit code. Commands throw
// (TaskmasterError from the daemon or the client, UsageError from parsing);
// the runner renders what they throw through failureOf / exitCodeOf / textOf.
import { isErrorCode, type ErrorCode, type TaskmasterError } from '../protocol/errors';
import type { UsageError } from './usage-error';

export const EXIT = {
  OK: 0,
  ERROR: 1,
  NOT_RUNNING: 3, // `status` listed a process that is not RUNNING
  UNREACHABLE: 4, // no daemon at the socket, or a name or job the daemon does not know
  INTERRUPTED: 130, // Ctrl-C during a request (not during `tail -f`, where it is the normal way out)
} as const;

/** The protocol's codes plus the one only the CLI produces. */
export type CliErrorCode = ErrorCode | 'EUSAGE';

export interface Failure {
  code: CliErrorCode;
  message: string;
}

/**
 * By name and code rather than instanceof: a bundle the CLI loads on demand
 * (the remote Caller, the job commands) has its own copy of each class.
 */
const isNamed = <T extends Error>(e: unknown, name: T['name']): e is T => e instanceof Error && e.name === name;

export function failureOf(e: unknown): Failure {
  if (isNamed<UsageError>(e, 'UsageError')) return { code: 'EUSAGE', message: e.message };
  if (isNamed<TaskmasterError>(e, 'TaskmasterError') && isErrorCode(e.code)) return { code: e.code, message: e.message };
  // Anything else is a bug in taskmasterctl; say so rather than hide it.
  const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
  return { code: 'EINTERNAL', message };
}

export function exitCodeOf(code: CliErrorCode): number {
  switch (code) {
    case 'ECONNECT':
    case 'ENOPROGRAM':
    case 'ENOJOB':
    case 'ENOTOKEN':
      return EXIT.UNREACHABLE;
    case 'EUSAGE':
    case 'EBADREQUEST':
    case 'EUNKNOWNCMD':
    case 'ETOOLARGE':
    case 'EVERSION':
    case 'EBADCONFIG':
    case 'EBADSIGNAL':
    case 'ENOTRUNNING':
    case 'EALREADY':
    case 'ESPAWN':
    case 'ESHUTDOWN':
    case 'ENOLOG':
    case 'ENOREMOTE':
    case 'ETOOMANYJOBS':
    case 'EPERM':
    case 'EUNAUTHENTICATED':
    case 'ETOKENSTORE':
    case 'ENOLIMITS':
    case 'ENOINPUT':
    case 'EINTERNAL':
    case 'EDEPENDENTS':
    case 'EDEPENDENCY':
      return EXIT.ERROR;
    default:
      return unknownCode(code);
  }
}

/** The text shown on stderr (without the final newline). */
export function textOf(f: Failure): string {
  switch (f.code) {
    case 'EUSAGE':
    case 'ECONNECT':
    case 'EBADCONFIG': // one config issue per line, already worded for people
      return f.message;
    case 'EVERSION':
      return `protocol version mismatch: ${f.message}`;
    case 'EINTERNAL':
      return `internal error: ${f.message}`;
    default:
      return `error: ${f.message}`;
  }
}

/** The JSON printed to stdout under --json. */
export function jsonOf(f: Failure): { error: Failure } {
  return { error: { code: f.code, message: f.message } };
}

function unknownCode(code: never): never {
  throw new Error(`unhandled error code ${String(code)}`);
}
