// include: globs relative to the including file, programs merged in order,
// one definition per name across all files.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load';
import { assertIssue, configOf, errorsOf, load, onlyError, writeTree } from '../fixtures/config/temp-config';

test('included programs are merged after the main file, globs sorted, paths relative to their own file', () => {
  const { dir, result } = load('include: [conf.d/*.yaml, extra.yaml]\nprograms:\n  main: {cmd: /bin/main}\n', {
    'conf.d/b.yaml': 'programs:\n  bee: {cmd: /bin/b, stdout: logs/b.log}\n',
    'conf.d/a.yaml': 'programs:\n  ant: {cmd: /bin/a, workingdir: ../work}\n',
    'conf.d/ignored.txt': 'programs:\n  no: {cmd: x}\n',
    'extra.yaml': 'programs:\n  extra: {cmd: /bin/e}\n',
  });
  const config = configOf(result);
  assert.deepEqual(config.programs.map((p) => p.name), ['main', 'ant', 'bee', 'extra']);
  assert.equal(config.programs[1]!.workingdir, join(dir, 'work'));
  assert.deepEqual(config.programs[2]!.stdout, { kind: 'file', path: join(dir, 'conf.d/logs/b.log') });
  assert.deepEqual(result.warnings, []);
});

test('include may be one string, and an absolute glob', () => {
  const other = writeTree({ 'x.yaml': 'programs:\n  x: {cmd: /bin/x}\n' });
  const config = configOf(load(`include: ${join(other, '*.yaml')}\n`).result);
  assert.deepEqual(config.programs.map((p) => p.name), ['x']);
});

test('a glob that matches nothing is fine; a plain path that matches nothing warns', () => {
  const { file, result } = load('include: [conf.d/*.yaml, missing.yaml]\nprograms: {a: {cmd: a}}\n');
  assert.equal(configOf(result).programs.length, 1);
  assert.equal(result.warnings.length, 1);
  assertIssue(result.warnings[0]!, { file, line: 1, col: 26, program: null, key: 'include[1]', message: 'include "missing.yaml" names no existing file' });
});

test('a glob matching the main file itself does not include it twice', () => {
  const { result } = load('include: ["*.yaml"]\nprograms: {a: {cmd: a}}\n', { 'b.yaml': 'programs: {b: {cmd: b}}\n' });
  assert.deepEqual(configOf(result).programs.map((p) => p.name), ['a', 'b']);
});

test('a program defined in two files is an error naming both places', () => {
  const { dir, file, result } = load('include: [conf.d/*.yaml]\nprograms:\n  api: {cmd: a}\n  web: {cmd: b}\n', {
    'conf.d/web.yaml': '# the web tier\nprograms:\n  web: {cmd: c}\n',
  });
  const included = join(dir, 'conf.d/web.yaml');
  assertIssue(onlyError(result), {
    file: included, line: 3, col: 3, program: 'web', key: null,
    message: `program "web" is defined twice: first at ${file}:4:3, again at ${included}:3:3`,
  });
});

test('two included files defining the same program is an error too', () => {
  const { dir, result } = load('include: [a.yaml, b.yaml]\n', { 'a.yaml': 'programs: {w: {cmd: a}}\n', 'b.yaml': 'programs: {w: {cmd: b}}\n' });
  const issue = onlyError(result);
  assert.equal(issue.file, join(dir, 'b.yaml'));
  assert.ok(issue.message.includes(`first at ${join(dir, 'a.yaml')}:1:12`), issue.message);
});

test('an included file may hold only programs', () => {
  const { dir, result } = load('include: [inc.yaml]\n', {
    'inc.yaml': 'taskmasterd: {loglevel: debug}\ninclude: [x.yaml]\nprogram: {}\nprograms: {ok: {cmd: a}}\n',
  });
  const inc = join(dir, 'inc.yaml');
  const errors = errorsOf(result);
  assert.equal(errors.length, 3);
  assertIssue(errors[0]!, { file: inc, line: 1, col: 1, program: null, key: 'taskmasterd', message: 'an included file may hold only "programs:", got key "taskmasterd"' });
  assertIssue(errors[1]!, { file: inc, line: 2, col: 1, program: null, key: 'include', message: 'got key "include"' });
  assertIssue(errors[2]!, { file: inc, line: 3, col: 1, program: null, key: 'program', message: 'got key "program" (did you mean "programs"?)' });
});

test('errors in the main file and in includes are all reported together, main file first', () => {
  const { dir, file, result } = load('include: [inc/*.yaml]\nprograms:\n  a:\n    cmd: a\n    numprocs: 0\n', {
    'inc/1.yaml': 'programs:\n  b:\n    stopsignal: NOPE\n',
    'inc/2.yaml': 'programs:\n  c: {cmd: "x", umask: 9}\n',
    'inc/3.yaml': 'programs: [oops\n',
  });
  assert.deepEqual(
    errorsOf(result).map((e) => [e.file, e.line, e.col, e.program, e.key]),
    [
      [file, 5, 15, 'a', 'numprocs'],
      [join(dir, 'inc/1.yaml'), 2, 3, 'b', 'cmd'],
      [join(dir, 'inc/1.yaml'), 3, 17, 'b', 'stopsignal'],
      [join(dir, 'inc/2.yaml'), 2, 24, 'c', 'umask'],
      [join(dir, 'inc/3.yaml'), 2, 1, null, null],
    ],
  );
});

test('include entries must be non-empty strings', () => {
  const { file, result } = load('include: [ok/*.yaml, 3, ""]\n');
  const errors = errorsOf(result);
  assert.equal(errors.length, 2);
  assertIssue(errors[0]!, { file, line: 1, col: 22, program: null, key: 'include[1]', message: 'expected a file path or glob (or a list of them), got 3' });
  assertIssue(errors[1]!, { file, line: 1, col: 25, program: null, key: 'include[2]', message: 'got ""' });
  const map = load('include: {a: 1}\n');
  assertIssue(onlyError(map.result), { file: map.file, line: 1, col: 10, program: null, key: 'include', message: 'got a map' });
});

test('a directory named by include is not read as a config file', () => {
  const dir = writeTree({ 'main.yaml': 'include: [sub]\n', 'sub/x': '' });
  // The glob matches files only, so the plain path matches nothing and warns.
  const result = loadConfig(join(dir, 'main.yaml'));
  assert.equal(result.ok, true);
  assert.equal(result.warnings[0]!.key, 'include[0]');
});
