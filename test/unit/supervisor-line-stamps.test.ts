// stdout_timestamps / stderr_timestamps: where stamps go in a stream read in
// arbitrary pieces, with a fake wall clock.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stampLines } from '../../src/supervisor/line-stamps';

const T0 = Date.UTC(2026, 11, 4, 10, 31, 2, 123);
const S0 = '2026-12-04T10:31:02.123Z ';
const S1 = '2026-12-04T10:31:02.456Z ';

/** A stamper over a recorder, with a clock the test moves. */
function rig() {
  const written: string[] = [];
  let now = T0;
  const write = stampLines((chunk) => written.push(chunk.toString('utf8')), () => now);
  return { written, write: (text: string) => write(Buffer.from(text, 'utf8')), setNow: (ms: number) => (now = ms) };
}

test('each line of a chunk gets the time the chunk was read; one write per chunk', () => {
  const r = rig();
  r.write('one\ntwo\n');
  assert.deepEqual(r.written, [`${S0}one\n${S0}two\n`]);
});

test('a partial line is stamped when its first byte arrives, and not again when the rest comes', () => {
  const r = rig();
  r.write('par');
  r.setNow(T0 + 333);
  r.write('tial\nnext');
  r.write(' line\n');
  assert.deepEqual(r.written, [`${S0}par`, `tial\n${S1}next`, ' line\n']);
});

test('a chunk ending in a newline leaves the next chunk to start a line', () => {
  const r = rig();
  r.write('a\n');
  r.setNow(T0 + 333);
  r.write('b\n');
  assert.deepEqual(r.written, [`${S0}a\n`, `${S1}b\n`]);
});

test('empty lines are lines; an empty chunk writes nothing', () => {
  const r = rig();
  r.write('\n\n');
  r.write('');
  assert.deepEqual(r.written, [`${S0}\n${S0}\n`]);
});

test('bytes are passed on as they are (a UTF-8 character split between chunks, a CR)', () => {
  const written: Buffer[] = [];
  const write = stampLines((chunk) => written.push(Buffer.from(chunk)), () => T0);
  const euro = Buffer.from('€\r\n', 'utf8');
  write(euro.subarray(0, 1));
  write(euro.subarray(1));
  assert.equal(Buffer.concat(written).toString('utf8'), `${S0}€\r\n`);
});
