// env_file's reading of a file, rule by rule as systemd.exec(5) states them
// for EnvironmentFile=, plus the lines this parser refuses where systemd
// would silently skip them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEnvFile } from '../../src/config/env-file-parse';

/** The variables of `text`, which must parse without errors. */
function vars(text: string): Record<string, string> {
  const r = parseEnvFile(text);
  assert.deepEqual(r.errors, [], JSON.stringify(text));
  return r.vars;
}

test('plain assignments, one per line; an empty file sets nothing', () => {
  assert.deepEqual(vars(''), {});
  assert.deepEqual(vars('A=1\nB=two words\n'), { A: '1', B: 'two words' });
  assert.deepEqual(vars('A=1'), { A: '1' }, 'no newline at the end');
  assert.deepEqual(vars('A='), { A: '' });
  assert.deepEqual(vars('A=\nB=2'), { A: '', B: '2' });
});

test('a name given twice keeps its last value', () => {
  assert.deepEqual(vars('A=1\nA=2\n'), { A: '2' });
});

test('blank lines and comments (# or ; at the start of a line) are skipped', () => {
  assert.deepEqual(vars('\n\n# a comment\n; another\n   # indented\nA=1\n\t\n'), { A: '1' });
});

test('a # or ; after the start of a line is part of the value, not a comment', () => {
  assert.deepEqual(vars('A=1 # not a comment\nB=x;y\n'), { A: '1 # not a comment', B: 'x;y' });
});

test('whitespace around the name and the unquoted value is dropped; inside the value it is kept', () => {
  assert.deepEqual(vars('  A = 1  \n'), { A: '1' });
  assert.deepEqual(vars('B=  a   b  \t\n'), { B: 'a   b' });
  assert.deepEqual(vars('C=x\r\nD=y\r\n'), { C: 'x', D: 'y' }, 'CRLF line ends');
});

test('quotes after the first character of an unquoted value are kept as they are', () => {
  assert.deepEqual(vars(`A=it's\nB=say "hi"\n`), { A: "it's", B: 'say "hi"' });
});

test('unquoted: a backslash keeps the next character, and before a newline joins the lines', () => {
  assert.deepEqual(vars('A=a\\\\b\n'), { A: 'a\\b' });
  assert.deepEqual(vars('A=\\"x\\"\n'), { A: '"x"' });
  assert.deepEqual(vars('A=\\$HOME\n'), { A: '$HOME' });
  assert.deepEqual(vars('A=one \\\ntwo\nB=3\n'), { A: 'one two', B: '3' });
  assert.deepEqual(vars('A=trailing\\ \n'), { A: 'trailing ' }, 'an escaped blank is kept at the end');
  assert.deepEqual(vars('A=x\\'), { A: 'x' }, 'a lone backslash at the end of the file');
});

test('no expansion: $VAR and ${VAR} stay as written', () => {
  assert.deepEqual(vars('A=$HOME\nB=${PATH}:/x\n'), { A: '$HOME', B: '${PATH}:/x' });
});

test("single quotes: verbatim, newlines included, no escapes; blanks outside them dropped", () => {
  assert.deepEqual(vars(`A='a "b" \\n $c'\n`), { A: 'a "b" \\n $c' });
  assert.deepEqual(vars(`A='line one\nline two'\nB=2\n`), { A: 'line one\nline two', B: '2' });
  assert.deepEqual(vars(`A=  '  padded  '  \n`), { A: '  padded  ' });
  assert.deepEqual(vars(`A=''\n`), { A: '' });
});

test('double quotes: \\" \\\\ \\` \\$ escaped, a backslash-newline joins, any other backslash kept', () => {
  assert.deepEqual(vars('A="say \\"hi\\""\n'), { A: 'say "hi"' });
  assert.deepEqual(vars('A="a\\\\b \\`c\\` \\$d"\n'), { A: 'a\\b `c` $d' });
  assert.deepEqual(vars('A="one \\\ntwo"\n'), { A: 'one two' });
  assert.deepEqual(vars('A="keep \\n and \\t"\n'), { A: 'keep \\n and \\t' });
  assert.deepEqual(vars('A="multi\nline"\n'), { A: 'multi\nline' });
  assert.deepEqual(vars('A=  " x "  \n'), { A: ' x ' });
});

test('text right after a closing quote continues the value, as in systemd', () => {
  assert.deepEqual(vars(`A="a"b\nB='x'"y"\nC="p" q\n`), { A: 'ab', B: 'xy', C: 'pq' });
});

test('"export " is not special: it makes the line an invalid name', () => {
  const r = parseEnvFile('export A=1\nB=2\n');
  assert.deepEqual(r.vars, { B: '2' });
  assert.deepEqual(r.errors, [{ line: 1, message: '"export A" is not a variable name (letters, digits and "_", not starting with a digit)' }]);
});

test('refused: a line without "=", a bad name, an unclosed quote; each at its line, every one reported', () => {
  const r = parseEnvFile('A=1\njust words\n1X=2\n=3\nA-B=4\nC="open\n\nD=5\n');
  assert.deepEqual(r.vars, { A: '1' });
  assert.deepEqual(r.errors, [
    { line: 2, message: 'expected NAME=VALUE, got "just words"' },
    { line: 3, message: '"1X" is not a variable name (letters, digits and "_", not starting with a digit)' },
    { line: 4, message: '"" is not a variable name (letters, digits and "_", not starting with a digit)' },
    { line: 5, message: '"A-B" is not a variable name (letters, digits and "_", not starting with a digit)' },
    { line: 6, message: 'the double (") quote opened here is never closed' },
  ]);
});

test('line numbers count the lines a quoted value or a continuation spans', () => {
  const r = parseEnvFile(`A='x\ny'\nB=a\\\nb\nbad\nC='never`);
  assert.deepEqual(r.errors, [
    { line: 5, message: 'expected NAME=VALUE, got "bad"' },
    { line: 6, message: "the single (') quote opened here is never closed" },
  ]);
});

test('a name without "=" at the end of the file is refused too', () => {
  assert.deepEqual(parseEnvFile('A=1\nB').errors, [{ line: 2, message: 'expected NAME=VALUE, got "B"' }]);
});

test('names: letters, digits and _, not starting with a digit; case kept', () => {
  assert.deepEqual(vars('_a=1\nA_1=2\nlower=3\n'), { _a: '1', A_1: '2', lower: '3' });
});
