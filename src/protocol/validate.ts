// Boundary checks for both directions. The daemon trusts nothing a client
// sends; the CLI trusts nothing the daemon sends back.
import { isErrorCode, shown, TaskmasterError } from './errors';
import { COMMAND_NAMES, type CommandName, type Request, type ServerMessage } from './messages';

type Obj = Record<string, unknown>;

function bad(message: string): never {
  throw new TaskmasterError('EBADREQUEST', message);
}

function field<T>(obj: Obj, key: string, check: (v: unknown) => v is T, expected: string): T {
  const v = obj[key];
  if (!check(v)) bad(`field "${key}" must be ${expected}, got ${shown(v)}`);
  return v;
}

const isInt = (v: unknown): v is number => Number.isSafeInteger(v);
const isNonNegInt = (v: unknown): v is number => isInt(v) && v >= 0;
const isString = (v: unknown): v is string => typeof v === 'string';
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
const isStream = (v: unknown): v is 'stdout' | 'stderr' => v === 'stdout' || v === 'stderr';
const isNullableString = (v: unknown): v is string | null => v === null || isString(v);

/** Parses one request line; throws TaskmasterError with EBADREQUEST or EUNKNOWNCMD. */
export function parseRequest(line: string): Request {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    bad('request is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad('request must be a JSON object');
  const obj = value as Obj;
  const id = field(obj, 'id', isNonNegInt, 'a non-negative integer');
  const cmd = field(obj, 'cmd', isString, 'a string');
  if (!(COMMAND_NAMES as readonly string[]).includes(cmd)) {
    throw new TaskmasterError('EUNKNOWNCMD', `unknown command ${shown(cmd)}; commands are ${COMMAND_NAMES.join(', ')}`);
  }
  switch (cmd as CommandName) {
    case 'hello':
      return { id, cmd: 'hello', version: field(obj, 'version', isInt, 'an integer') };
    case 'status':
      return { id, cmd: 'status', names: field(obj, 'names', isStringArray, 'an array of strings') };
    case 'start':
    case 'stop':
    case 'restart':
      return { id, cmd: cmd as 'start' | 'stop' | 'restart', names: field(obj, 'names', isStringArray, 'an array of strings') };
    case 'signal':
      return {
        id,
        cmd: 'signal',
        signal: field(obj, 'signal', isString, 'a string'),
        names: field(obj, 'names', isStringArray, 'an array of strings'),
      };
    case 'config':
      return { id, cmd: 'config', name: field(obj, 'name', isString, 'a string') };
    case 'tail':
      return {
        id,
        cmd: 'tail',
        name: field(obj, 'name', isString, 'a string'),
        stream: field(obj, 'stream', isStream, '"stdout" or "stderr"'),
        lines: field(obj, 'lines', isNonNegInt, 'a non-negative integer'),
        follow: field(obj, 'follow', isBool, 'a boolean'),
      };
    case 'maintail':
      return {
        id,
        cmd: 'maintail',
        lines: field(obj, 'lines', isNonNegInt, 'a non-negative integer'),
        follow: field(obj, 'follow', isBool, 'a boolean'),
      };
    case 'pid':
      return { id, cmd: 'pid', name: field(obj, 'name', isNullableString, 'a string or null') };
    case 'reload':
    case 'shutdown':
    case 'version':
      return { id, cmd: cmd as 'reload' | 'shutdown' | 'version' };
  }
}

/** Checks the envelope of a daemon message; the result's inner shape is the daemon's promise. */
export function parseServerMessage(line: string): ServerMessage {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new TaskmasterError('EBADREQUEST', 'daemon sent a line that is not JSON');
  }
  if (typeof value !== 'object' || value === null) throw new TaskmasterError('EBADREQUEST', 'daemon sent a non-object');
  const obj = value as Obj;
  if (!isNonNegInt(obj.id)) throw new TaskmasterError('EBADREQUEST', 'daemon message has no id');
  if (typeof obj.chunk === 'string') return { id: obj.id, chunk: obj.chunk };
  if (obj.ok === true && 'result' in obj) return { id: obj.id, ok: true, result: obj.result as never };
  if (obj.ok === false && typeof obj.error === 'object' && obj.error !== null) {
    const err = obj.error as Obj;
    if (isErrorCode(err.code) && typeof err.message === 'string') {
      return { id: obj.id, ok: false, error: { code: err.code, message: err.message } };
    }
  }
  throw new TaskmasterError('EBADREQUEST', 'daemon sent a message of unknown shape');
}
