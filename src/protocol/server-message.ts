// The envelope of a line from the daemon, checked by the client before its
// payload is read against the command's schema (local-codec.ts). No
// protobuf-es here: the CLI's one-shot start-up loads this.
import type { JsonObject } from '@bufbuild/protobuf';
import { isErrorCode, TaskmasterError } from './errors';
import type { ServerMessage } from './messages';

type Obj = Record<string, unknown>;

const isId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** Checks the envelope of a daemon message; its payload is read afterwards, against the command's schema. */
export function parseServerMessage(line: string): ServerMessage {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new TaskmasterError('EBADREQUEST', 'daemon sent a line that is not JSON');
  }
  if (typeof value !== 'object' || value === null) throw new TaskmasterError('EBADREQUEST', 'daemon sent a non-object');
  const obj = value as Obj;
  if (!isId(obj.id)) throw new TaskmasterError('EBADREQUEST', 'daemon message has no id');
  if (isObject(obj.item)) return { id: obj.id, item: obj.item };
  if (obj.ok === true && isObject(obj.result)) return { id: obj.id, ok: true, result: obj.result };
  if (obj.ok === false && isObject(obj.error)) {
    const err = obj.error;
    if (isErrorCode(err.code) && typeof err.message === 'string') {
      return { id: obj.id, ok: false, error: { code: err.code, message: err.message } };
    }
  }
  throw new TaskmasterError('EBADREQUEST', 'daemon sent a message of unknown shape');
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
