import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readLastLines } from '../../src/supervisor/log-tail';
import { RotatingFile } from '../../src/supervisor/rotating-file';

function tempFile(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'taskmaster-tail-')), 'out.log');
}

test('lines = 0 gives nothing', () => {
  const file = tempFile();
  fs.writeFileSync(file, 'a\nb\n');
  assert.equal(readLastLines(file, 0, 0), '');
});

test('the last lines of one file, with a trailing newline', () => {
  const file = tempFile();
  fs.writeFileSync(file, 'a\nb\nc\n');
  assert.equal(readLastLines(file, 0, 1), 'c\n');
  assert.equal(readLastLines(file, 0, 2), 'b\nc\n');
  assert.equal(readLastLines(file, 0, 3), 'a\nb\nc\n');
  assert.equal(readLastLines(file, 0, 10), 'a\nb\nc\n');
});

test('a final line without a trailing newline counts as a line', () => {
  const file = tempFile();
  fs.writeFileSync(file, 'a\nb\nc');
  assert.equal(readLastLines(file, 0, 1), 'c');
  assert.equal(readLastLines(file, 0, 2), 'b\nc');
});

test('empty lines count as lines', () => {
  const file = tempFile();
  fs.writeFileSync(file, 'a\n\n\n');
  assert.equal(readLastLines(file, 0, 2), '\n\n');
});

test('lines are read across rotated files, including one split by rotation', () => {
  const file = tempFile();
  fs.writeFileSync(`${file}.2`, 'a\nb\n');
  fs.writeFileSync(`${file}.1`, 'c\nd');
  fs.writeFileSync(file, 'e\nf\n');
  assert.equal(readLastLines(file, 2, 2), 'de\nf\n');
  assert.equal(readLastLines(file, 2, 3), 'c\nde\nf\n');
  assert.equal(readLastLines(file, 2, 99), 'a\nb\nc\nde\nf\n');
  // Backups beyond the count are not read.
  assert.equal(readLastLines(file, 1, 99), 'c\nde\nf\n');
});

test('a newest file that is empty or ends the stream with a newline is handled', () => {
  const file = tempFile();
  fs.writeFileSync(`${file}.1`, 'a\nb\n');
  fs.writeFileSync(file, '');
  assert.equal(readLastLines(file, 1, 1), 'b\n');
  fs.writeFileSync(file, '\n');
  assert.equal(readLastLines(file, 1, 1), '\n');
  assert.equal(readLastLines(file, 1, 2), 'b\n\n');
});

test('missing files are empty', () => {
  const file = tempFile();
  assert.equal(readLastLines(file, 3, 5), '');
  fs.writeFileSync(`${file}.2`, 'old\n');
  assert.equal(readLastLines(file, 3, 5), 'old\n');
});

test('lines larger than the read block are returned whole', () => {
  const file = tempFile();
  const long = (c: string): string => c.repeat(200_000);
  fs.writeFileSync(file, `${long('a')}\n${long('b')}\n${long('c')}`);
  assert.equal(readLastLines(file, 0, 1), long('c'));
  assert.equal(readLastLines(file, 0, 2, 10_000_000), `${long('b')}\n${long('c')}`);
});

test('the answer is capped at maxBytes, keeping the newest bytes', () => {
  const file = tempFile();
  const text = 'x'.repeat(299) + '\n';
  fs.writeFileSync(file, text.repeat(10));
  const got = readLastLines(file, 0, 10, 1000);
  assert.equal(got.length, 1000);
  assert.ok(text.repeat(10).endsWith(got));
});

test('the default cap is 1 MiB', () => {
  const file = tempFile();
  fs.writeFileSync(file, 'y'.repeat(3 * 1024 * 1024));
  assert.equal(readLastLines(file, 0, 1).length, 1024 * 1024);
});

test('a cap inside a UTF-8 sequence drops the partial character', () => {
  const file = tempFile();
  fs.writeFileSync(file, 'éééé'); // 2 bytes each
  assert.equal(readLastLines(file, 0, 1, 3), 'é');
});

test('the last lines written through RotatingFile are found across its backups', () => {
  const file = tempFile();
  const log = new RotatingFile({ path: file, maxBytes: 50, backups: 10, onError: assert.fail });
  const lines: string[] = [];
  for (let i = 0; i < 60; i++) lines.push(`line number ${i}\n`);
  for (const line of lines) log.write(Buffer.from(line));
  log.close();
  assert.equal(readLastLines(file, 10, 7), lines.slice(-7).join(''));
});
