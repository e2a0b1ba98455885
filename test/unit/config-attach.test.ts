// The attach settings: `stdin: pipe` and `tty: true` read as such, default to
// /dev/null and no terminal, and a bad value is one error at the value
// (file:line:col) saying what was expected and what was written.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertIssue, configOf, load, onlyError, webProgram } from '../fixtures/config/temp-config';
import { diffPrograms } from '../../src/config/diff';

test('stdin and tty default to /dev/null (null) and false; pipe and true are read', () => {
  const [plain] = configOf(load(webProgram()).result).programs;
  assert.deepEqual([plain!.stdin, plain!.tty], [null, false]);
  const [attached] = configOf(load(webProgram('stdin: pipe', 'tty: true')).result).programs;
  assert.deepEqual([attached!.stdin, attached!.tty], ['pipe', true]);
  const [nulled] = configOf(load(webProgram('stdin: null')).result).programs;
  assert.equal(nulled!.stdin, null);
});

test('a bad stdin or tty is an error at its value, with what was expected and what was written', () => {
  const cases: [string, number, string, string][] = [
    ['stdin: yes', 12, 'stdin', 'expected pipe or null, got "yes"'],
    ['stdin: true', 12, 'stdin', 'expected pipe or null, got true'],
    ['stdin: [pipe]', 12, 'stdin', 'expected pipe or null, got a list'],
    ['tty: yes', 10, 'tty', 'expected true or false, got "yes"'],
    ['tty: 1', 10, 'tty', 'expected true or false, got 1'],
  ];
  for (const [line, col, key, message] of cases) {
    const { file, result } = load(webProgram(line));
    assertIssue(onlyError(result), { file, line: 4, col, program: 'web', key, message });
  }
});

test('a change of stdin or tty restarts the program on reload: what was exec\'d differs', () => {
  const [before] = configOf(load(webProgram()).result).programs;
  for (const extra of ['stdin: pipe', 'tty: true']) {
    const [after] = configOf(load(webProgram(extra)).result).programs;
    const d = diffPrograms([before!], [after!]);
    assert.equal(d.restart.length, 1, extra);
  }
});
