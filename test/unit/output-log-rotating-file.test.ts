import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RotatingFile, RotatingFileOp } from '../../src/supervisor/rotating-file';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'taskmaster-rotating-'));
}

interface Reported {
  code: string | undefined;
  op: RotatingFileOp;
}

function openFile(file: string, maxBytes: number, backups: number, errors: Reported[] = []): RotatingFile {
  return new RotatingFile({ path: file, maxBytes, backups, onError: (err, op) => errors.push({ code: err.code, op }) });
}

function read(file: string): string {
  return fs.readFileSync(file, 'utf8');
}

// Oldest first: path.N … path.1, path — the order the bytes were written in.
function concatenated(file: string, backups: number): string {
  let all = '';
  for (let k = backups; k >= 1; k--) {
    if (fs.existsSync(`${file}.${k}`)) all += read(`${file}.${k}`);
  }
  return all + read(file);
}

function numberedLines(from: number, to: number): string {
  let text = '';
  for (let i = from; i < to; i++) text += `line ${i}\n`;
  return text;
}

test('the file is created at construction, empty, before any write', () => {
  const file = path.join(tempDir(), 'out.log');
  const log = openFile(file, 100, 2);
  assert.equal(read(file), '');
  assert.equal(log.size, 0);
  log.close();
});

test('size starts at the existing length of the file, which is appended to', () => {
  const file = path.join(tempDir(), 'out.log');
  fs.writeFileSync(file, 'before\n');
  const log = openFile(file, 100, 2);
  assert.equal(log.size, 7);
  log.write(Buffer.from('after\n'));
  assert.equal(read(file), 'before\nafter\n');
  assert.equal(log.size, 13);
  log.close();
});

test('a file filled to exactly maxBytes is not rotated until the next line', () => {
  const file = path.join(tempDir(), 'out.log');
  const log = openFile(file, 10, 2);
  log.write(Buffer.from('01234\n678\n'));
  assert.equal(read(file), '01234\n678\n');
  assert.equal(fs.existsSync(`${file}.1`), false);
  log.write(Buffer.from('a\n'));
  assert.equal(read(`${file}.1`), '01234\n678\n');
  assert.equal(read(file), 'a\n');
  assert.equal(log.size, 2);
  log.close();
});

test('a line that does not fit starts the next file, whole; the current one ends at the last newline that fits', () => {
  const file = path.join(tempDir(), 'out.log');
  const log = openFile(file, 10, 2);
  log.write(Buffer.from('abc\nde'));
  log.write(Buffer.from('fghij\nk'));
  assert.equal(read(`${file}.1`), 'abc\n');
  assert.equal(read(file), 'defghij\n');
  log.close();
  assert.equal(read(file), 'defghij\nk', 'the unfinished line is written on close');
});

test('exactly `backups` backups are kept: path.1..path.N exist, path.N+1 never', () => {
  const file = path.join(tempDir(), 'out.log');
  const log = openFile(file, 4, 3);
  for (let i = 0; i < 10; i++) {
    log.write(Buffer.from(`${i}${i}${i}\n`));
    assert.equal(fs.existsSync(`${file}.4`), false);
  }
  assert.equal(read(file), '999\n');
  assert.equal(read(`${file}.1`), '888\n');
  assert.equal(read(`${file}.2`), '777\n');
  assert.equal(read(`${file}.3`), '666\n');
  log.close();
});

test('a chunk larger than maxBytes is split across files at line starts, no byte lost or reordered', () => {
  const file = path.join(tempDir(), 'out.log');
  const log = openFile(file, 100, 50);
  const written = numberedLines(0, 400);
  // Uneven chunk sizes, several far larger than maxBytes.
  const sizes = [1, 7, 350, 99, 100, 101, 1000, 3, 250];
  let offset = 0;
  for (let i = 0; offset < written.length; i++) {
    const size = sizes[i % sizes.length] ?? 1;
    log.write(Buffer.from(written.slice(offset, offset + size)));
    offset += size;
  }
  log.close();
  assert.equal(concatenated(file, 50), written);
  for (let k = 1; k <= 50; k++) {
    if (!fs.existsSync(`${file}.${k}`)) continue;
    assert.ok(fs.statSync(`${file}.${k}`).size <= 100);
    assert.ok(read(`${file}.${k}`).endsWith('\n'), `${file}.${k} ends with a whole line`);
  }
  assert.ok(fs.statSync(file).size <= 100);
});

test('when backups fall off, what is left is the newest suffix of the stream', () => {
  const file = path.join(tempDir(), 'out.log');
  const log = openFile(file, 64, 2);
  const written = numberedLines(0, 100);
  log.write(Buffer.from(written));
  log.close();
  const kept = concatenated(file, 2);
  assert.ok(written.endsWith(kept));
  assert.ok(kept.length > 128 && kept.length <= 192);
  assert.equal(fs.existsSync(`${file}.3`), false);
});

test('backups = 0 truncates the file in place of rotating it', () => {
  const file = path.join(tempDir(), 'out.log');
  const log = openFile(file, 8, 0);
  log.write(Buffer.from('abc\nde\n'));
  log.write(Buffer.from('fgh\n'));
  assert.equal(read(file), 'fgh\n');
  assert.equal(log.size, 4);
  log.write(Buffer.from('ijk\nlmnopq\nrs'));
  assert.equal(read(file), 'lmnopq\n', 'truncated before the line that did not fit');
  log.write(Buffer.from('\n'));
  assert.equal(read(file), 'rs\n', 'and again, the held start of the line moving with it');
  assert.equal(fs.existsSync(`${file}.1`), false);
  log.close();
});

test('maxBytes = 0 never rotates', () => {
  const file = path.join(tempDir(), 'out.log');
  const log = openFile(file, 0, 3);
  const written = numberedLines(0, 2000);
  for (const line of written.split(/(?<=\n)/)) log.write(Buffer.from(line));
  assert.equal(read(file), written);
  assert.equal(log.size, Buffer.byteLength(written));
  assert.equal(fs.existsSync(`${file}.1`), false);
  log.close();
});

test('setLimits below the current size rotates at the next write', () => {
  const file = path.join(tempDir(), 'out.log');
  const log = openFile(file, 100, 1);
  log.write(Buffer.from('0123456789\n'));
  log.setLimits(5, 1);
  log.write(Buffer.from('x\n'));
  assert.equal(read(`${file}.1`), '0123456789\n');
  assert.equal(read(file), 'x\n');
  log.close();
});

test('invalid limits are a programming error', () => {
  const file = path.join(tempDir(), 'out.log');
  assert.throws(() => openFile(file, -1, 1), RangeError);
  assert.throws(() => openFile(file, 1, 1.5), RangeError);
});

test('a missing directory is reported once per episode, and writing resumes when it appears', () => {
  const dir = path.join(tempDir(), 'not-yet');
  const file = path.join(dir, 'out.log');
  const errors: Reported[] = [];
  const log = openFile(file, 100, 1, errors);
  assert.deepEqual(errors, [{ code: 'ENOENT', op: 'open' }]);
  log.write(Buffer.from('lost 1\n'));
  log.write(Buffer.from('lost 2\n'));
  assert.equal(errors.length, 1);

  fs.mkdirSync(dir);
  log.write(Buffer.from('kept\n'));
  assert.equal(read(file), 'kept\n');
  assert.equal(errors.length, 1);

  // A new episode after a success is reported again, once.
  fs.rmSync(dir, { recursive: true });
  log.reopen();
  log.write(Buffer.from('lost 3\n'));
  assert.deepEqual(errors, [
    { code: 'ENOENT', op: 'open' },
    { code: 'ENOENT', op: 'open' },
  ]);
  log.close();
});

test('ENOSPC (/dev/full) is reported once while it keeps failing, and write never throws', () => {
  const errors: Reported[] = [];
  // maxBytes 0: never rename /dev/full.
  const log = openFile('/dev/full', 0, 0, errors);
  for (let i = 0; i < 5; i++) log.write(Buffer.from('data\n'));
  assert.deepEqual(errors, [{ code: 'ENOSPC', op: 'write' }]);
  log.close();
});

test('reopen after an external rename (logrotate) writes to a new file at the path', () => {
  const file = path.join(tempDir(), 'out.log');
  const log = openFile(file, 100, 1);
  log.write(Buffer.from('a\n'));
  fs.renameSync(file, `${file}.old`);
  log.write(Buffer.from('b\n')); // still the old inode until reopened
  log.reopen();
  log.write(Buffer.from('c\n'));
  assert.equal(read(`${file}.old`), 'a\nb\n');
  assert.equal(read(file), 'c\n');
  assert.equal(log.size, 2);
  log.close();
});

test('writes after close are dropped without error', () => {
  const file = path.join(tempDir(), 'out.log');
  const errors: Reported[] = [];
  const log = openFile(file, 100, 1, errors);
  log.write(Buffer.from('a'));
  log.close();
  log.write(Buffer.from('b'));
  log.reopen();
  assert.equal(read(file), 'a');
  assert.deepEqual(errors, []);
});
