// depends_on in the config: a list of program names, checked across the
// main file and its includes; an unknown name or a cycle is an error placed
// at the entry that makes it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertIssue, configOf, errorsOf, load, onlyError, webProgram } from '../fixtures/config/temp-config';

test('depends_on: a list of names, or one name alone; absent is none', () => {
  const { result } = load('programs:\n  db: {cmd: /bin/db}\n  cache: {cmd: /bin/c}\n  web: {cmd: /bin/w, depends_on: [db, cache]}\n  api: {cmd: /bin/a, depends_on: db}\n');
  const byName = new Map(configOf(result).programs.map((p) => [p.name, p.depends_on]));
  assert.deepEqual(Object.fromEntries(byName), { db: [], cache: [], web: ['db', 'cache'], api: ['db'] });
});

test('depends_on may name a program of an include, and an include may name one of the main file', () => {
  const { result } = load('include: [more.yaml]\nprograms:\n  web: {cmd: /bin/w, depends_on: [db]}\n', {
    'more.yaml': 'programs:\n  db: {cmd: /bin/db}\n  worker: {cmd: /bin/x, depends_on: [web]}\n',
  });
  assert.deepEqual(configOf(result).programs.map((p) => [p.name, p.depends_on]), [['web', ['db']], ['db', []], ['worker', ['web']]]);
});

test('a bad depends_on value is one error at the value (or the entry), with expected and got', () => {
  const cases: [string, number, string, string][] = [
    ['depends_on: {db: 1}', 17, 'depends_on', 'expected a list of program names, e.g. [db, cache], got a map'],
    ['depends_on: 3', 17, 'depends_on', 'got 3'],
    ['depends_on: [db, 3]', 22, 'depends_on[1]', 'expected a program name, got 3'],
    ['depends_on: [db, db]', 22, 'depends_on[1]', '"db" is listed twice'],
  ];
  for (const [line, col, key, message] of cases) {
    const { file, result } = load(webProgram(line) + '  db: {cmd: /bin/db}\n');
    assertIssue(onlyError(result), { file, line: 4, col, program: 'web', key, message });
  }
});

test('a name that is no program: the error is at its entry, with the nearest name', () => {
  const { file, result } = load(webProgram('depends_on: [cache, dbb]') + '  db: {cmd: /bin/db}\n  cache: {cmd: /bin/c}\n');
  assertIssue(onlyError(result), { file, line: 4, col: 25, program: 'web', key: 'depends_on[1]', message: 'no program named "dbb"; did you mean "db"?' });
});

test('a name far from every program says none is defined', () => {
  const { file, result } = load(webProgram('depends_on: [postgres]'));
  assertIssue(onlyError(result), { file, line: 4, col: 18, program: 'web', key: 'depends_on[0]', message: 'no program named "postgres" is defined (in this file or an include)' });
});

test('a cycle is one error naming it in order, at the entry of its first program in the file', () => {
  const yaml = [
    'programs:',
    '  other: {cmd: /bin/o}',
    '  web: {cmd: /bin/w, depends_on: [other, api]}',
    '  api: {cmd: /bin/a, depends_on: [db]}',
    '  db: {cmd: /bin/d, depends_on: [web]}',
    '',
  ].join('\n');
  const { file, result } = load(yaml);
  assertIssue(onlyError(result), { file, line: 3, col: 42, program: 'web', key: 'depends_on[1]', message: 'depends_on forms a cycle: web → api → db → web' });
});

test('the cycle is named from its first program whichever program the search meets first', () => {
  // db comes first in the file but is outside the cycle; the search enters the cycle at api.
  const yaml = 'programs:\n  db: {cmd: /bin/d, depends_on: [api]}\n  web: {cmd: /bin/w, depends_on: [api]}\n  api: {cmd: /bin/a, depends_on: [web]}\n';
  const { file, result } = load(yaml);
  assertIssue(onlyError(result), { file, line: 3, col: 35, program: 'web', key: 'depends_on[0]', message: 'depends_on forms a cycle: web → api → web' });
});

test('a program that depends on itself is a cycle of one', () => {
  const { file, result } = load(webProgram('depends_on: web'));
  assertIssue(onlyError(result), { file, line: 4, col: 17, program: 'web', key: 'depends_on[0]', message: 'depends_on forms a cycle: web → web' });
});

test('a cycle through an include is reported in the file of its first program, beside the other errors', () => {
  const { dir, result } = load('include: [more.yaml]\nprograms:\n  web: {cmd: /bin/w, depends_on: [api], numprocs: 0}\n', {
    'more.yaml': 'programs:\n  api: {cmd: /bin/a, depends_on: [web, nope]}\n',
  });
  const errors = errorsOf(result).map((e) => `${e.file.slice(dir.length + 1)}:${e.line}:${e.col} ${e.key}: ${e.message}`);
  assert.deepEqual(errors, [
    'main.yaml:3:35 depends_on[0]: depends_on forms a cycle: web → api → web',
    'main.yaml:3:51 numprocs: expected an integer from 1 to 10000, got 0',
    'more.yaml:2:40 depends_on[1]: no program named "nope" is defined (in this file or an include)',
  ]);
});

test('a chain of 5,000 programs loads (no recursion that a long chain could overflow), and closing it is a cycle', () => {
  const chain = (closed: boolean) =>
    'programs:\n' +
    Array.from({ length: 5000 }, (_, i) => (i === 4999 && !closed ? '  p4999: {cmd: /bin/p}' : `  p${i}: {cmd: /bin/p, depends_on: [p${(i + 1) % 5000}]}`)).join('\n') +
    '\n';
  assert.equal(configOf(load(chain(false)).result).programs.length, 5000);
  const cycle = onlyError(load(chain(true)).result);
  assert.equal(cycle.program, 'p0');
  assert.match(cycle.message, /^depends_on forms a cycle: p0 → p1 → .* → p4999 → p0$/);
});
