// The CLI's local codec (src/protocol/local-codec.ts) against protobuf-es,
// which the daemon uses: for every message of the schema, the same message read
// from the same JSON, the same JSON written from the same message, and the same
// refusals. And its table is what proto/ says today.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { create, type DescField, type DescMessage, fromJson, type JsonObject, ScalarType, toJson } from '@bufbuild/protobuf';
import { SERVICES } from '../../src/protocol/commands';
import { readMessage, WireShapeError, writeMessage } from '../../src/protocol/local-codec';
import { wireTableSource } from '../../src/protocol/wire-table-derive';

const ROOT = join(__dirname, '../../..');
const JSON_FORM = { useProtoFieldName: true, alwaysEmitImplicit: true } as const;

function messagesOfSchema(): DescMessage[] {
  const seen = new Map<string, DescMessage>();
  const visit = (m: DescMessage): void => {
    if (seen.has(m.typeName) || m.typeName.startsWith('google.protobuf.')) return;
    seen.set(m.typeName, m);
    for (const f of m.fields) if (f.message) visit(f.message);
  };
  for (const service of SERVICES) for (const method of service.methods) (visit(method.input), visit(method.output));
  return [...seen.values()];
}

/** A value unlike the default for each kind of field, so that a field read or written wrong shows. */
function sample(f: DescField, depth: number): unknown {
  const scalar = (t: ScalarType): unknown => {
    switch (t) {
      case ScalarType.STRING:
        return `é-${f.name}`;
      case ScalarType.BOOL:
        return true;
      case ScalarType.BYTES:
        return new Uint8Array([0, 1, 250, 255]);
      case ScalarType.DOUBLE:
      case ScalarType.FLOAT:
        return 1.5;
      case ScalarType.UINT64:
      case ScalarType.FIXED64:
        return 2n ** 63n + 5n;
      case ScalarType.INT64:
      case ScalarType.SINT64:
      case ScalarType.SFIXED64:
        return -(2n ** 40n);
      case ScalarType.UINT32:
      case ScalarType.FIXED32:
        return 4000000000;
      default:
        return -7;
    }
  };
  const one = (): unknown => {
    if (f.enum) return f.enum.values.at(-1)!.number;
    if (f.fieldKind === 'scalar' || (f.fieldKind === 'list' && f.listKind === 'scalar') || f.fieldKind === 'map') return scalar(f.scalar!);
    const m = f.message!;
    if (m.typeName === 'google.protobuf.Timestamp') return { seconds: 1700000000n, nanos: 120000000 };
    if (m.typeName === 'google.protobuf.Struct') return { a: 1, b: [true, null, 'x'], c: { d: 'e' } };
    // A wrapper field holds its one scalar unboxed.
    if (/^google\.protobuf\.\w+Value$/.test(m.typeName) && m.fields.length === 1) return scalar(m.fields[0]!.scalar!);
    return depth > 2 ? {} : fullInit(m, depth + 1);
  };
  if (f.fieldKind === 'list') return [one(), one()];
  if (f.fieldKind === 'map') return { k1: one(), 'k 2': one() };
  return one();
}

function fullInit(m: DescMessage, depth = 0): Record<string, unknown> {
  const init: Record<string, unknown> = {};
  for (const f of m.fields) if (!f.oneof) init[f.localName] = sample(f, depth);
  for (const o of m.oneofs) init[o.localName] = { case: o.fields[0]!.localName, value: sample(o.fields[0]!, depth) };
  return init;
}

/** Every message three ways: empty, every field set, and each other case of each oneof. */
function inits(m: DescMessage): Record<string, unknown>[] {
  const full = fullInit(m);
  const cases = m.oneofs.flatMap((o) => o.fields.slice(1).map((f) => ({ ...full, [o.localName]: { case: f.localName, value: sample(f, 0) } })));
  return [{}, full, ...cases];
}

test('src/protocol/wire-table.ts is what proto/ gives today (else: make gen)', () => {
  assert.equal(readFileSync(join(ROOT, 'src/protocol/wire-table.ts'), 'utf8'), wireTableSource());
});

test('every message of the schema: written as protobuf-es writes it, read back as protobuf-es reads it', () => {
  const messages = messagesOfSchema();
  assert.ok(messages.length > 40, `${messages.length} messages`);
  for (const m of messages) {
    for (const init of inits(m)) {
      const msg = create(m, init as never);
      const json = toJson(m, msg, JSON_FORM) as JsonObject;
      assert.deepEqual(writeMessage(m.typeName, init), json, `${m.typeName} written from its init`);
      assert.deepEqual(writeMessage(m.typeName, msg as never), json, `${m.typeName} written from the message`);
      assert.deepStrictEqual(readMessage(m.typeName, json), fromJson(m, json), `${m.typeName} read`);
      // The camelCase spelling and the minimal form (defaults left out), which protobuf JSON also allows.
      const camel = toJson(m, msg) as JsonObject;
      assert.deepStrictEqual(readMessage(m.typeName, camel), fromJson(m, camel), `${m.typeName} read from JSON names`);
    }
  }
});

test('protobuf JSON\'s other spellings of a value are read as protobuf-es reads them', () => {
  const schema = messagesOfSchema().find((m) => m.typeName === 'taskmaster.v1.ProcessStatus')!;
  const json = { name: 'a', state: 3, pid: null, restarts: '4', exited_at: '2024-02-29T23:59:59.5+02:00', stats: { rss_bytes: 12, cpu_percent: 'NaN', cpu_seconds: '2.5' } };
  assert.deepStrictEqual(readMessage(schema.typeName, json), fromJson(schema, json));
});

test('what protobuf-es refuses, the local codec refuses', () => {
  const bad: [string, unknown][] = [
    ['taskmaster.v1.StatusResponse', { processes: [{ name: 'a', bogus: 1 }] }],
    ['taskmaster.v1.StatusResponse', { processes: {} }],
    ['taskmaster.v1.StatusResponse', []],
    ['taskmaster.v1.ProcessStatus', { state: 'PROCESS_STATE_NAPPING' }],
    ['taskmaster.v1.ProcessStatus', { name: 5 }],
    ['taskmaster.v1.ProcessStatus', { restarts: -1 }],
    ['taskmaster.v1.ProcessStatus', { restarts: 1.5 }],
    ['taskmaster.v1.ProcessStatus', { pid: 'x' }],
    ['taskmaster.v1.ProcessStatus', { exited_at: '2024-13-01T00:00:00Z' }],
    ['taskmaster.v1.ProcessStatus', { exited_at: 'yesterday' }],
    ['taskmaster.v1.ProcessStats', { rss_bytes: '-1' }],
    ['taskmaster.v1.ProcessStats', { rss_bytes: '18446744073709551616' }],
    ['taskmaster.v1.ProcessStats', { cpu_percent: '' }],
    ['taskmaster.v1.VersionResponse', { protocol: true }],
  ];
  const schemas = new Map(messagesOfSchema().map((m) => [m.typeName, m]));
  for (const [type, json] of bad) {
    assert.throws(() => fromJson(schemas.get(type)!, json as JsonObject), `protobuf-es refuses ${JSON.stringify(json)}`);
    assert.throws(() => readMessage(type, json), WireShapeError, `the local codec refuses ${JSON.stringify(json)}`);
  }
});

test('a refusal names where in the message it is, and what was there', () => {
  const json = { processes: [{ name: 'a' }, { name: 'b', stats: { rss_bytes: '-1' } }] };
  assert.throws(
    () => readMessage('taskmaster.v1.StatusResponse', json, 'a status result'),
    (e) => e instanceof WireShapeError && e.message === 'a status result.processes[1].stats.rss_bytes: expected uint64, got "-1"',
  );
});
