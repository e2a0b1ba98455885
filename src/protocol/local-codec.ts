// The schema's messages in the local socket's JSON form, read and written
// from wire-table.ts instead of protobuf-es's descriptors, which cost a
// one-shot CLI more to build than all its own work. What it makes is what
// protobuf-es's fromJson and toJson (useProtoFieldName, alwaysEmitImplicit)
// make, for the field kinds the schema uses: a unit test holds the two side by
// side for every message. The daemon keeps protobuf-es (wire.ts).
import { WIRE_COMMANDS, WIRE_ENUMS, WIRE_MESSAGES } from './wire-table';
import type { WireField, WireType } from './wire-table-types';

type Obj = Record<string, unknown>;

/** A message that does not fit the schema; the caller says whose it was. */
export class WireShapeError extends Error {}

/**
 * Thrown inside the reader, and given its path on the way out (`.processes[3].pid`):
 * a path is text made only for a message that does not fit, not for every field read.
 */
class Mismatch {
  readonly path: string[] = [];
  constructor(
    readonly what: string,
    readonly value: unknown,
  ) {}
}

function wrong(what: string, value: unknown): never {
  throw new Mismatch(what, value);
}

/** `e`, with `step` before its path if it is a Mismatch: `catch (e) { throw stepped(e, …) }`. */
function stepped(e: unknown, step: string): unknown {
  if (e instanceof Mismatch) e.path.unshift(step);
  return e;
}

export function commandTypes(cmd: string): readonly [input: string, output: string] | undefined {
  return WIRE_COMMANDS[cmd];
}

function fieldsOf(typeName: string): readonly WireField[] {
  const fields = WIRE_MESSAGES[typeName];
  if (!fields) throw new Error(`BUG: no message ${typeName} in wire-table.ts`);
  return fields;
}

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---- reading (protobuf JSON → message) ----

/** How one message type is read, made on its first use: a CLI run reads a few types, many times over (a status of 10,000). */
interface Plan {
  /** Each field by both JSON spellings. */
  byKey: Map<string, WireField>;
  /** What a new message holds before any field is read (oneofs, lists, maps, implicit fields). */
  initial: readonly WireField[];
}
const plans = new Map<string, Plan>();

function planOf(typeName: string): Plan {
  let plan = plans.get(typeName);
  if (!plan) {
    const fields = fieldsOf(typeName);
    const byKey = new Map<string, WireField>();
    for (const f of fields) byKey.set(f.name, f).set(f.json, f);
    plan = { byKey, initial: fields.filter((f) => f.oneof !== undefined || f.list || f.map || !f.optional) };
    plans.set(typeName, plan);
  }
  return plan;
}

/** A new message with its implicit fields at their defaults, as protobuf-es's create() makes it. */
function empty(typeName: string, plan: Plan): Obj {
  const msg: Obj = { $typeName: typeName };
  for (const f of plan.initial) {
    if (f.oneof !== undefined) msg[f.oneof] ??= { case: undefined };
    else if (f.list) msg[f.local] = [];
    else if (f.map) msg[f.local] = {};
    else msg[f.local] = zero(f.type);
  }
  return msg;
}

function zero(type: WireType): unknown {
  if (type.startsWith('enum:')) return 0;
  switch (type) {
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'bytes':
      return new Uint8Array(0);
    case 'int64':
    case 'uint64':
    case 'sint64':
    case 'fixed64':
    case 'sfixed64':
      return 0n;
    default:
      return 0;
  }
}

/** Reads a message of `typeName` from its protobuf JSON; throws WireShapeError naming where it does not fit. */
export function readMessage(typeName: string, json: unknown, where: string = typeName): Obj {
  try {
    return readObject(typeName, json);
  } catch (e) {
    if (!(e instanceof Mismatch)) throw e;
    const text = JSON.stringify(e.value) ?? String(e.value);
    throw new WireShapeError(`${where}${e.path.join('')}: ${e.what}, got ${text.length > 60 ? `${text.slice(0, 60)}…` : text}`);
  }
}

function readObject(typeName: string, json: unknown): Obj {
  if (!isObject(json)) wrong('expected an object', json);
  const plan = planOf(typeName);
  const msg = empty(typeName, plan);
  for (const key in json) {
    const value = json[key];
    const f = plan.byKey.get(key);
    if (!f) wrong(`unknown field ${JSON.stringify(key)}`, value);
    if (value === null) continue; // null: the field's default, as protobuf JSON says
    try {
      readField(msg, f, value);
    } catch (e) {
      throw stepped(e, `.${f.name}`);
    }
  }
  return msg;
}

function readField(msg: Obj, f: WireField, value: unknown): void {
  const read = readerOf(f.type);
  if (f.list) {
    if (!Array.isArray(value)) wrong('expected an array', value);
    const list = new Array<unknown>(value.length);
    let i = 0;
    try {
      for (; i < value.length; i++) list[i] = read(value[i]);
    } catch (e) {
      throw stepped(e, `[${i}]`);
    }
    msg[f.local] = list;
  } else if (f.map) {
    if (!isObject(value)) wrong('expected an object', value);
    const map: Obj = {};
    for (const k in value) {
      try {
        map[k] = read(value[k]);
      } catch (e) {
        throw stepped(e, `.${k}`);
      }
    }
    msg[f.local] = map;
  } else if (f.oneof !== undefined) {
    if ((msg[f.oneof] as { case: unknown }).case !== undefined) wrong(`a second field of oneof ${f.oneof}`, value);
    msg[f.oneof] = { case: f.local, value: read(value) };
  } else {
    msg[f.local] = read(value);
  }
}

// One reader per type, chosen once: the type's text is not taken apart for every value.
const readers = new Map<WireType, (v: unknown) => unknown>();

function readerOf(type: WireType): (v: unknown) => unknown {
  let read = readers.get(type);
  if (!read) {
    const [kind, name] = type.split(':') as [string, string | undefined];
    if (kind === 'message') read = (v) => readObject(name!, v);
    else if (kind === 'enum') read = (v) => readEnum(name!, v);
    else if (kind === 'wrapper') read = (v) => readScalar(name as WireType, v);
    else if (type === 'timestamp') read = readTimestamp;
    else if (type === 'struct') read = (v) => (isObject(v) ? v : wrong('expected an object', v));
    else read = (v) => readScalar(type, v);
    readers.set(type, read);
  }
  return read;
}

function readEnum(enumName: string, v: unknown): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff) return v;
  const n = typeof v === 'string' ? WIRE_ENUMS[enumName]?.[v] : undefined;
  return n ?? wrong(`expected a value of ${enumName}`, v);
}

const INT_RANGE: Partial<Record<WireType, [number, number]>> = {
  int32: [-0x80000000, 0x7fffffff],
  sint32: [-0x80000000, 0x7fffffff],
  sfixed32: [-0x80000000, 0x7fffffff],
  uint32: [0, 0xffffffff],
  fixed32: [0, 0xffffffff],
};
const LONG_RANGE: Partial<Record<WireType, [bigint, bigint]>> = {
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};
const SPECIAL_DOUBLES: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

function readScalar(type: WireType, v: unknown): unknown {
  switch (type) {
    case 'string':
      return typeof v === 'string' ? v : wrong('expected a string', v);
    case 'bool':
      return typeof v === 'boolean' ? v : wrong('expected true or false', v);
    case 'bytes':
      return typeof v === 'string' && /^[A-Za-z0-9+/_-]*={0,2}$/.test(v) ? new Uint8Array(Buffer.from(v, 'base64')) : wrong('expected base64', v);
    case 'double':
    case 'float': {
      if (typeof v === 'number') return v;
      if (typeof v === 'string' && v in SPECIAL_DOUBLES) return SPECIAL_DOUBLES[v];
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      return Number.isFinite(n) ? n : wrong('expected a number', v);
    }
  }
  const long = LONG_RANGE[type];
  if (long) {
    const n = typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : typeof v === 'string' && /^-?[0-9]+$/.test(v) ? BigInt(v) : undefined;
    return n !== undefined && n >= long[0] && n <= long[1] ? n : wrong(`expected ${type}`, v);
  }
  const int = INT_RANGE[type];
  if (!int) throw new Error(`BUG: scalar type ${type}`);
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?[0-9]+$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= int[0] && n <= int[1] ? n : wrong(`expected ${type}`, v);
}

const RFC3339 = /^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})(?:\.([0-9]{1,9}))?(Z|[+-][0-9]{2}:[0-9]{2})$/;
// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: protobuf's range of a Timestamp.
const MIN_SECONDS = -62135596800;
const MAX_SECONDS = 253402300799;

function readTimestamp(v: unknown): Obj {
  const m = typeof v === 'string' ? RFC3339.exec(v) : null;
  const ms = m ? Date.parse(`${m[1]}${m[3]}`) : NaN;
  const seconds = ms / 1000;
  if (!m || !Number.isInteger(seconds) || seconds < MIN_SECONDS || seconds > MAX_SECONDS) wrong('expected an RFC 3339 timestamp', v);
  return { $typeName: 'google.protobuf.Timestamp', seconds: BigInt(seconds), nanos: Number((m[2] ?? '').padEnd(9, '0')) };
}

// ---- writing (message or its init → protobuf JSON) ----

/** `init` (a message, or a plain object of some of its fields) as protobuf JSON: schema names, implicit fields written out. */
export function writeMessage(typeName: string, init: Obj): Obj {
  const json: Obj = {};
  for (const f of [...fieldsOf(typeName)].sort((a, b) => a.number - b.number)) {
    if (f.oneof !== undefined) {
      const one = init[f.oneof] as { case?: string; value?: unknown } | undefined;
      if (one?.case === f.local) json[f.name] = writeValue(f.type, one.value);
      continue;
    }
    const v = init[f.local];
    if (f.list) json[f.name] = ((v ?? []) as unknown[]).map((x) => writeValue(f.type, x));
    else if (f.map) json[f.name] = Object.fromEntries(Object.entries((v ?? {}) as Obj).map(([k, x]) => [k, writeValue(f.type, x)]));
    else if (v !== undefined) json[f.name] = writeValue(f.type, v);
    else if (!f.optional) json[f.name] = writeValue(f.type, zero(f.type));
  }
  return json;
}

function writeValue(type: WireType, v: unknown): unknown {
  if (type.startsWith('message:')) return writeMessage(type.slice('message:'.length), v as Obj);
  if (type.startsWith('enum:')) {
    const values = WIRE_ENUMS[type.slice('enum:'.length)] ?? {};
    return Object.keys(values).find((name) => values[name] === v) ?? v;
  }
  if (type.startsWith('wrapper:')) return writeValue(type.slice('wrapper:'.length) as WireType, v);
  if (type === 'timestamp') return writeTimestamp(v as { seconds: bigint; nanos: number });
  if (type === 'bytes') return Buffer.from(v as Uint8Array).toString('base64');
  if (type === 'double' || type === 'float') return Number.isFinite(v) ? v : String(v);
  if (LONG_RANGE[type]) return String(v);
  return v;
}

function writeTimestamp(t: { seconds: bigint; nanos: number }): string {
  const nanos = t.nanos ?? 0;
  const whole = new Date(Number(t.seconds ?? 0n) * 1000).toISOString().replace(/\.000Z$/, '');
  const digits = nanos === 0 ? 0 : nanos % 1e6 === 0 ? 3 : nanos % 1e3 === 0 ? 6 : 9;
  return `${whole}${digits ? `.${String(nanos).padStart(9, '0').slice(0, digits)}` : ''}Z`;
}
