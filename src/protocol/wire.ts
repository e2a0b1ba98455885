// The daemon's boundary checks of the local socket, and the one JSON form of
// the schema's messages on it. The daemon trusts nothing a client sends; the
// CLI trusts nothing the daemon sends back, and checks it without protobuf-es
// (server-message.ts, local-codec.ts: held to this form by a test). Requests are read into
// the command's input message with protobuf-es (unknown fields refused); its
// error texts may quote what the client sent, so they are cut before use.
import { create, type DescMessage, fromJson, type JsonObject, type MessageInitShape, type MessageShape, toJson } from '@bufbuild/protobuf';
import { COMMAND_NAMES, COMMANDS, type CommandName, type InputOf } from './commands';
import { shown, TaskmasterError } from './errors';
import type { HelloRequest } from './messages';

/** Field names as written in the schema, and implicit defaults written out, so a raw reader sees every field. */
const JSON_FORM = { useProtoFieldName: true, alwaysEmitImplicit: true } as const;

/** The envelope's keys; no input message may have a field of these names. */
const ENVELOPE = ['id', 'cmd', 'as'] as const;

for (const [cmd, method] of COMMANDS) {
  for (const field of method.input.fields) {
    if ((ENVELOPE as readonly string[]).some((k) => k === field.name || k === field.jsonName)) {
      throw new Error(`BUG: ${method.input.typeName}.${field.name} (command ${cmd}) collides with the request envelope's ${field.name}`);
    }
  }
}

/** A command request, its input read into the schema's message. `as` is the gateway's identity name. */
export type CommandRequest = { [C in CommandName]: { id: number; cmd: C; as: string | null; input: InputOf<C> } }[CommandName];
export type Request = HelloRequest | CommandRequest;

type Obj = Record<string, unknown>;

function bad(message: string): never {
  throw new TaskmasterError('EBADREQUEST', message);
}

const isId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** Parses one request line; throws TaskmasterError with EBADREQUEST or EUNKNOWNCMD. */
export function parseRequest(line: string): Request {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    bad('request is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad('request must be a JSON object');
  const { id, cmd, as, ...fields } = value as Obj;
  if (!isId(id)) bad(`field "id" must be a non-negative integer, got ${shown(id)}`);
  if (typeof cmd !== 'string') bad(`field "cmd" must be a string, got ${shown(cmd)}`);
  if (cmd === 'hello') return hello(id, as, fields);
  const method = COMMANDS.get(cmd);
  if (!method) throw new TaskmasterError('EUNKNOWNCMD', `unknown command ${shown(cmd)}; commands are hello, ${COMMAND_NAMES.join(', ')}`);
  if (as !== undefined && (typeof as !== 'string' || as === '')) bad(`field "as" must be an identity name, got ${shown(as)}`);
  const input = readInput(cmd, method.input, fields);
  return { id, cmd: cmd as CommandName, as: as ?? null, input } as CommandRequest;
}

function hello(id: number, as: unknown, fields: Obj): HelloRequest {
  if (as !== undefined) bad('hello takes no "as"');
  const { version, ...rest } = fields;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) bad(`unknown field ${shown(extra)} in hello; its fields are id, cmd, version`);
  if (!Number.isSafeInteger(version)) bad(`field "version" of hello must be an integer, got ${shown(version)}`);
  return { id, cmd: 'hello', version: version as number };
}

function readInput(cmd: string, schema: DescMessage, fields: Obj): MessageShape<DescMessage> {
  for (const key of Object.keys(fields)) {
    if (!schema.fields.some((f) => f.name === key || f.jsonName === key)) {
      const known = [...ENVELOPE, ...schema.fields.map((f) => f.name)].join(', ');
      bad(`unknown field ${shown(key)} in ${cmd}; its fields are ${known}`);
    }
  }
  try {
    return fromJson(schema, fields as JsonObject);
  } catch (err) {
    // Read again field by field, only now that it failed, to name the field.
    for (const [key, v] of Object.entries(fields)) {
      try {
        fromJson(schema, { [key]: v } as JsonObject);
      } catch (one) {
        bad(`field ${shown(key)} of ${cmd}: ${reasonOf(one)}`);
      }
    }
    bad(`${cmd} request does not fit its schema: ${reasonOf(err)}`);
  }
}

const REASON_CHARS = 120;

/** protobuf-es's text without its prefix ("cannot decode field … from JSON: "), cut: it may quote the value whole. */
function reasonOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const reason = text.replace(/^cannot decode [^:]*? from JSON: /, '');
  return reason.length <= REASON_CHARS ? reason : `${reason.slice(0, REASON_CHARS)}… (${reason.length} characters)`;
}

/** A message in the protocol's JSON form. */
export function toWire<D extends DescMessage>(schema: D, init: MessageInitShape<D>): JsonObject {
  return toJson(schema, create(schema, init), JSON_FORM) as JsonObject;
}

// The client reads the daemon's lines without protobuf-es (the CLI's start-up):
// server-message.ts and local-codec.ts.
export { parseServerMessage } from './server-message';
