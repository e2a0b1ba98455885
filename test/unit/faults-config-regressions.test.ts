// Bugs the config fuzz found, pinned one by one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorsOf, load } from '../fixtures/config/temp-config';

test('regression: an include pattern picomatch refuses (over 64 KiB) is a positioned error, not a throw out of loadConfig', () => {
  const { file, result } = load(`include: ["${'{'.repeat(70_000)}"]\n`);
  const [e, ...rest] = errorsOf(result);
  assert.deepEqual(rest, []);
  assert.deepEqual({ file: e!.file, line: e!.line, col: e!.col, key: e!.key }, { file, line: 1, col: 11, key: 'include[0]' });
  assert.match(e!.message, /^cannot use "\{{80}… \(70000 characters\)" as a file path or glob: /);
});

test('regression: collections nested too deep for the parser are an error in words, not "Maximum call stack size exceeded"', () => {
  const { result } = load(`programs:\n  web:\n    cmd: ls\n    env: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`);
  const errors = errorsOf(result);
  assert.ok(errors.every((e) => e.line >= 1 && e.col >= 1));
  assert.ok(errors.some((e) => e.message === 'invalid YAML: collections nested too deeply to read'), JSON.stringify(errors).slice(0, 500));
  assert.ok(errors.every((e) => !/Maximum call stack/.test(e.message)));
});

test('a syntax error that cascades reports the first 20 and counts the rest', () => {
  const { file, result } = load(`programs: [${', '.repeat(100)}]\n`);
  const errors = errorsOf(result);
  assert.equal(errors.length, 21);
  assert.ok(errors.every((e) => e.file === file && e.line === 1 && e.col >= 1));
  assert.equal(errors[20]!.message, 'invalid YAML: 80 more error(s) after these, most likely caused by them');
});
