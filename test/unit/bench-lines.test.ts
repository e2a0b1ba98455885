// The logs benchmark's content check (bench/lib/lines.ts): each kind of damage
// counted once, wherever the chunk and file boundaries fall.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeDamage, LineChecker, type LineReport, rotationOrder, writerLine } from '../../bench/lib/lines';

/** Runs the checker over files (each a list of chunks) and returns its report. */
function check(expected: number, files: string[][]): LineReport {
  const c = new LineChecker(expected);
  for (const chunks of files) {
    c.nextFile();
    for (const chunk of chunks) c.push(Buffer.from(chunk, 'latin1'));
  }
  return c.finish();
}

const lines = (from: number, to: number): string => Array.from({ length: to - from }, (_, i) => writerLine(from + i)).join('');
const clean = (expected: number): LineReport => ({ expected, found: expected, lost: 0, duplicated: 0, outOfOrder: 0, split: 0, malformed: 0 });

test('every line once, in order: nothing to report, however the chunks cut the lines', () => {
  const all = lines(0, 50);
  assert.deepEqual(check(50, [[all]]), clean(50));
  for (const cut of [1, 37, 99, 100, 101, 2500]) {
    assert.deepEqual(check(50, [[all.slice(0, cut), all.slice(cut)]]), clean(50), `cut at ${cut}`);
  }
  // One byte at a time.
  assert.deepEqual(check(3, [[...lines(0, 3)]]), clean(3));
});

test('rotated files cut at line starts are whole lines', () => {
  assert.deepEqual(check(30, [[lines(0, 10)], [lines(10, 20)], [lines(20, 30)]]), clean(30));
});

test('a missing line is lost, and only lost', () => {
  const r = check(10, [[lines(0, 4) + lines(5, 10)]]);
  assert.equal(r.lost, 1);
  assert.equal(r.outOfOrder, 0);
  assert.equal(r.found, 9);
  // Lines never written at the end: lost too.
  assert.equal(check(10, [[lines(0, 7)]]).lost, 3);
});

test('a line written twice is duplicated, not found twice', () => {
  const r = check(5, [[lines(0, 3) + writerLine(2) + lines(3, 5)]]);
  assert.equal(r.duplicated, 1);
  assert.equal(r.found, 5);
  assert.equal(r.lost, 0);
});

test('a line after a higher-numbered one is out of order', () => {
  const r = check(5, [[writerLine(0) + writerLine(2) + writerLine(1) + lines(3, 5)]]);
  assert.equal(r.outOfOrder, 1);
  assert.equal(r.lost, 0);
  // Files read in the wrong order: every line of the later file is out of order.
  assert.equal(check(6, [[lines(3, 6)], [lines(0, 3)]]).outOfOrder, 3);
});

test('a line cut across two files is split, and still found', () => {
  const all = lines(0, 4);
  const r = check(4, [[all.slice(0, 150)], [all.slice(150)]]);
  assert.equal(r.split, 1);
  assert.equal(r.found, 4);
  assert.equal(r.lost, 0);
  // The same cut inside one file (two reads) is no split.
  assert.equal(check(4, [[all.slice(0, 150), all.slice(150)]]).split, 0);
  // An unfinished last line is split, and its line not found.
  const cutEnd = check(4, [[all.slice(0, 350)]]);
  assert.equal(cutEnd.split, 1);
  assert.equal(cutEnd.lost, 1);
});

test('a garbled line, or a number past the end, is malformed and its line lost', () => {
  const bad = writerLine(1).replace('abc', 'abX');
  const r = check(3, [[writerLine(0) + bad + writerLine(2)]]);
  assert.equal(r.malformed, 1);
  assert.equal(r.lost, 1);
  assert.equal(check(1, [[writerLine(0) + writerLine(1)]]).malformed, 1);
  assert.equal(check(2, [[writerLine(0).slice(0, 50) + '\n' + writerLine(1)]]).malformed, 1);
});

test('the writer line is 100 bytes: 10 digits, a space, filler, newline', () => {
  const l = writerLine(42);
  assert.equal(l.length, 100);
  assert.match(l, /^0000000042 abcdefghijklmnopqrstuvwxyz[a-z]{62}\n$/);
});

test('rotated files come oldest backup first, the live file last, other names left out', () => {
  assert.deepEqual(rotationOrder(['w.log', 'w.log.1', 'w.log.10', 'w.log.2', 'other', 'w.log.x', 'w.logs'], 'w.log'), ['w.log.10', 'w.log.2', 'w.log.1', 'w.log']);
  assert.deepEqual(rotationOrder(['w.log.1'], 'w.log'), ['w.log.1']);
});

test('a damage report names only what is wrong', () => {
  assert.equal(describeDamage(clean(7)), 'all 7 lines once, in order');
  assert.equal(describeDamage({ ...clean(7), found: 5, lost: 2, split: 1 }), '2 lost, 1 split of 7 lines');
});
