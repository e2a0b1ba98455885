import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OutputLog } from '../../src/supervisor/output-log';

function tempFile(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'taskmaster-output-')), 'out.log');
}

function fileLog(file: string, maxBytes = 1000, backups = 2): OutputLog {
  return new OutputLog({ path: file, maxBytes, backups, onError: assert.fail });
}

test('writes go to the file and tail reads them back', () => {
  const file = tempFile();
  const log = fileLog(file);
  log.write(Buffer.from('one\ntwo\n'));
  log.write(Buffer.from('three\n'));
  assert.equal(fs.readFileSync(file, 'utf8'), 'one\ntwo\nthree\n');
  assert.equal(log.tail(2), 'two\nthree\n');
  log.close();
});

test('tail reads across rotations using the current limits', () => {
  const file = tempFile();
  const log = fileLog(file, 4, 1);
  log.write(Buffer.from('aaa\nbbb\n'));
  assert.equal(log.tail(2), 'aaa\nbbb\n');
  log.setLimits(4, 0);
  assert.equal(log.tail(2), 'bbb\n');
  log.close();
});

test('followers get every chunk, in order, after it is written to the file', () => {
  const file = tempFile();
  const log = fileLog(file);
  const seen: string[] = [];
  log.follow((chunk) => {
    seen.push(chunk.toString());
    // The file already holds the chunk when a follower hears of it.
    assert.ok(fs.readFileSync(file, 'utf8').endsWith(chunk.toString()));
  });
  for (let i = 0; i < 20; i++) log.write(Buffer.from(`${i}\n`));
  assert.deepEqual(seen, Array.from({ length: 20 }, (_, i) => `${i}\n`));
  log.close();
});

test('an unfinished line reaches followers at once and the file with its newline; tail shows it as the last line', () => {
  const file = tempFile();
  const log = fileLog(file);
  const seen: string[] = [];
  log.follow((chunk) => seen.push(chunk.toString()));
  log.write(Buffer.from('one\ntwo\nthr'));
  assert.deepEqual(seen, ['one\ntwo\nthr']);
  assert.equal(fs.readFileSync(file, 'utf8'), 'one\ntwo\n', 'held back from the file');
  // What `tail -f -n 2` answers before it follows: with the next chunk the
  // follower's view is the whole stream, no byte missing or twice.
  assert.equal(log.tail(2), 'two\nthr');
  assert.equal(log.tail(1), 'thr');
  assert.equal(log.tail(0), '');
  log.write(Buffer.from('ee\n'));
  assert.equal(fs.readFileSync(file, 'utf8'), 'one\ntwo\nthree\n');
  assert.equal(log.tail(2), 'two\nthree\n');
  log.close();
});

test('flush writes the unfinished line out (its pipe reached EOF), and so does close', () => {
  const file = tempFile();
  const log = fileLog(file);
  log.write(Buffer.from('done\nno newline'));
  log.flush();
  assert.equal(fs.readFileSync(file, 'utf8'), 'done\nno newline');
  log.write(Buffer.from('\nagain'));
  log.close();
  assert.equal(fs.readFileSync(file, 'utf8'), 'done\nno newline\nagain');
});

test('unsubscribe stops delivery to that follower only', () => {
  const log = fileLog(tempFile());
  const first: string[] = [];
  const second: string[] = [];
  const stopFirst = log.follow((chunk) => first.push(chunk.toString()));
  log.follow((chunk) => second.push(chunk.toString()));
  log.write(Buffer.from('a'));
  stopFirst();
  stopFirst(); // idempotent
  log.write(Buffer.from('b'));
  assert.deepEqual(first, ['a']);
  assert.deepEqual(second, ['a', 'b']);
  log.close();
});

test('the same listener followed twice is delivered twice and unsubscribed separately', () => {
  const log = fileLog(tempFile());
  const seen: string[] = [];
  const listener = (chunk: Buffer): void => void seen.push(chunk.toString());
  const stopOne = log.follow(listener);
  log.follow(listener);
  log.write(Buffer.from('a'));
  stopOne();
  log.write(Buffer.from('b'));
  assert.deepEqual(seen, ['a', 'a', 'b']);
  log.close();
});

test('a follower unsubscribing while called does not disturb the others', () => {
  const log = fileLog(tempFile());
  const seen: string[] = [];
  const stop = log.follow(() => {
    seen.push('self-removing');
    stop();
  });
  log.follow((chunk) => seen.push(chunk.toString()));
  log.write(Buffer.from('a'));
  log.write(Buffer.from('b'));
  assert.deepEqual(seen, ['self-removing', 'a', 'b']);
  log.close();
});

test('a discarded stream writes nowhere, still feeds followers, and tails empty', () => {
  const log = new OutputLog(null);
  const seen: string[] = [];
  log.follow((chunk) => seen.push(chunk.toString()));
  log.write(Buffer.from('live\n'));
  log.setLimits(10, 1);
  log.reopen();
  assert.deepEqual(seen, ['live\n']);
  assert.equal(log.tail(10), '');
  log.close();
});

test('close drops followers and later writes', () => {
  const file = tempFile();
  const log = fileLog(file);
  const seen: string[] = [];
  log.follow((chunk) => seen.push(chunk.toString()));
  log.write(Buffer.from('a'));
  log.close();
  log.write(Buffer.from('b'));
  assert.deepEqual(seen, ['a']);
  assert.equal(fs.readFileSync(file, 'utf8'), 'a');
});

test('reopen follows the path after an external rename', () => {
  const file = tempFile();
  const log = fileLog(file);
  log.write(Buffer.from('old\n'));
  fs.renameSync(file, `${file}.rotated`);
  log.reopen();
  log.write(Buffer.from('new\n'));
  assert.equal(log.tail(5), 'new\n');
  log.close();
});
