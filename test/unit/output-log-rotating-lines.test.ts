// Rotation at line starts: every line whole, in exactly one file, unless it
// is longer than maxBytes (cut at the limit) or than the hold-back bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HOLD_LIMIT } from '../../src/supervisor/held-line';
import { RotatingFile } from '../../src/supervisor/rotating-file';
import { fuzzSeed, Rng } from '../fixtures/seeded-random';

function tempFile(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'taskmaster-lines-')), 'out.log');
}

function openFile(file: string, maxBytes: number, backups: number): RotatingFile {
  return new RotatingFile({ path: file, maxBytes, backups, onError: (err) => assert.fail(err) });
}

/** The contents of FILE.backups … FILE.1, FILE that exist, oldest first. */
function segments(file: string, backups: number): string[] {
  const names = Array.from({ length: backups }, (_, i) => `${file}.${backups - i}`);
  return [...names, file].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f, 'latin1'));
}

/** Line n: its number, then padding of a length that changes from line to line. */
function numberedLines(count: number, rng: Rng, longest: number): string {
  const lines: string[] = [];
  for (let n = 0; n < count; n++) {
    const head = `${n}:`;
    lines.push(`${head}${'x'.repeat(rng.between(0, longest - head.length - 1))}\n`);
  }
  return lines.join('');
}

/** Writes `text` in chunks that cut lines anywhere: bytes, lines' worth, and reads bigger than the hold-back bound. */
function writeInChunks(log: RotatingFile, text: string, rng: Rng): void {
  const bytes = Buffer.from(text, 'latin1');
  for (let offset = 0; offset < bytes.length; ) {
    const size = rng.weighted([
      [4, rng.between(1, 8)],
      [4, rng.between(9, 400)],
      [2, rng.between(401, 5000)],
      [1, rng.between(HOLD_LIMIT, 2 * HOLD_LIMIT)],
    ]);
    // A fresh copy per chunk, overwritten after the call as the pipe reader's buffer is.
    const chunk = Buffer.from(bytes.subarray(offset, offset + size));
    log.write(chunk);
    chunk.fill(0x3f);
    offset += size;
  }
}

const SEEDS = [1, 2, 3, 4, fuzzSeed()];

for (const seed of SEEDS) {
  test(`numbered lines of changing lengths through many rotations: each once, in order, whole, in one file (seed ${seed})`, () => {
    const rng = new Rng(seed);
    const file = tempFile();
    const maxBytes = 1000;
    const text = numberedLines(1500, rng, 200);
    // Enough backups to keep everything: each file is at least maxBytes minus one line full.
    const backups = Math.ceil(text.length / (maxBytes - 200)) + 1;
    const log = openFile(file, maxBytes, backups);
    writeInChunks(log, text, rng);
    log.close();

    const files = segments(file, backups);
    assert.ok(files.length > 50, `many rotations: ${files.length} files`);
    assert.equal(files.join(''), text, 'every byte once, in order');
    const numbers = files.join('').split('\n').slice(0, -1).map((line) => Number(line.split(':')[0]));
    assert.deepEqual(numbers, Array.from({ length: 1500 }, (_, n) => n));
    files.forEach((content, k) => {
      assert.ok(content.length <= maxBytes, `file ${k}: ${content.length} bytes`);
      assert.ok(content.endsWith('\n'), `file ${k} ends with a whole line, so the next starts with one`);
      assert.match(content, /^\d+:/, `file ${k} starts at a line start`);
      const next = files[k + 1];
      if (next === undefined) return;
      // Rotated only because the next line did not fit.
      const nextLine = next.slice(0, next.indexOf('\n') + 1);
      assert.ok(content.length + nextLine.length > maxBytes, `file ${k} (${content.length} bytes) had room for ${nextLine.length} more`);
    });
  });
}

test('a line longer than maxBytes starts a new file and is cut at the limit; the lines after it go on after its end', () => {
  const file = tempFile();
  const log = openFile(file, 100, 10);
  log.write(Buffer.from('short 1\n'));
  const long = `${'L'.repeat(249)}\n`;
  for (let i = 0; i < long.length; i += 7) log.write(Buffer.from(long.slice(i, i + 7)));
  log.write(Buffer.from('short 2\n'));
  assert.deepEqual(segments(file, 10), ['short 1\n', 'L'.repeat(100), 'L'.repeat(100), `${'L'.repeat(49)}\nshort 2\n`]);
  log.close();
});

test('a writer without newlines: held back up to the bound, then written as it comes; nothing lost', () => {
  const file = tempFile();
  const log = openFile(file, 1 << 20, 2);
  const chunk = Buffer.alloc(100, 0x2e);
  let written = 0;
  for (let i = 0; i < 1000; i++) {
    log.write(chunk);
    written += chunk.length;
    assert.ok(log.heldBack.length <= HOLD_LIMIT, `${log.heldBack.length} bytes held`);
    assert.equal(fs.statSync(file).size + log.heldBack.length, written, 'every byte is in the file or held');
    if (written > HOLD_LIMIT) assert.equal(log.heldBack.length, 0, 'past the bound, written as it comes');
  }
  log.close();
  assert.equal(fs.statSync(file).size, written);
});

test('binary output without newlines and a small maxBytes fills each file to the limit', () => {
  const file = tempFile();
  const log = openFile(file, 1000, 10);
  const blob = Buffer.from(Array.from({ length: 5500 }, (_, i) => (i * 7) % 10 === 0 ? 0 : 0x41 + (i % 26)));
  for (let i = 0; i < blob.length; i += 333) log.write(blob.subarray(i, i + 333));
  log.close();
  const files = segments(file, 10);
  assert.deepEqual(files.map((f) => f.length), [1000, 1000, 1000, 1000, 1000, 500]);
  assert.deepEqual(Buffer.from(files.join(''), 'latin1'), blob);
});

test('a line longer than the hold-back bound begun mid-file goes on there and is cut at maxBytes', () => {
  const file = tempFile();
  const maxBytes = 2 * HOLD_LIMIT;
  const log = openFile(file, maxBytes, 2);
  log.write(Buffer.from('first\n'));
  log.write(Buffer.alloc(HOLD_LIMIT + 1, 0x61));
  assert.equal(fs.statSync(file).size, 6 + HOLD_LIMIT + 1, 'written once past the bound, in the current file');
  log.write(Buffer.alloc(HOLD_LIMIT, 0x61));
  log.write(Buffer.from('\nnext\n'));
  const files = segments(file, 2);
  assert.equal(files.length, 2);
  assert.equal(files[0]!.length, maxBytes);
  assert.equal(files[1], `${'a'.repeat(6 + 2 * HOLD_LIMIT + 1 - maxBytes)}\nnext\n`);
  log.close();
});

test('the unfinished last line is written by flush (end of stream) and by close', () => {
  const file = tempFile();
  const log = openFile(file, 100, 1);
  log.write(Buffer.from('whole\nprompt> '));
  assert.equal(fs.readFileSync(file, 'utf8'), 'whole\n');
  assert.equal(log.heldBack.toString(), 'prompt> ');
  log.flush();
  assert.equal(fs.readFileSync(file, 'utf8'), 'whole\nprompt> ');
  assert.equal(log.heldBack.length, 0);
  log.write(Buffer.from('again\nlast'));
  log.close();
  assert.equal(fs.readFileSync(file, 'utf8'), 'whole\nprompt> again\nlast');
});

test('reopen keeps the unfinished line, which then lands whole in the new file', () => {
  const file = tempFile();
  const log = openFile(file, 100, 1);
  log.write(Buffer.from('one\ntw'));
  fs.renameSync(file, `${file}.old`);
  log.reopen();
  log.write(Buffer.from('o\n'));
  assert.equal(fs.readFileSync(`${file}.old`, 'utf8'), 'one\n');
  assert.equal(fs.readFileSync(file, 'utf8'), 'two\n');
  log.close();
});

test('maxBytes 0 holds nothing back; switching to it lets a held line out first, in order', () => {
  const file = tempFile();
  const log = openFile(file, 0, 1);
  log.write(Buffer.from('at once'));
  assert.equal(fs.readFileSync(file, 'utf8'), 'at once');
  log.write(Buffer.from('\n'));
  log.setLimits(100, 1);
  log.write(Buffer.from('held'));
  assert.equal(fs.readFileSync(file, 'utf8'), 'at once\n');
  log.setLimits(0, 1);
  log.write(Buffer.from(' then more'));
  assert.equal(fs.readFileSync(file, 'utf8'), 'at once\nheld then more');
  log.close();
});
