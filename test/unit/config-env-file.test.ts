// env_file in a config: read at load, merged under `env`, relative to the
// config file, optional with "-", and every mistake an error at the key's
// file:line:col that names the env file and its line.
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { diffPrograms } from '../../src/config/diff';
import { loadConfig } from '../../src/config/load';
import { ChildEnvs } from '../../src/supervisor/child-env';
import type { Slot } from '../../src/supervisor/slot';
import { assertIssue, configOf, errorsOf, load, onlyError, webProgram } from '../fixtures/config/temp-config';

test('one file: its variables, the path made absolute from the config file\'s directory', () => {
  const { dir, result } = load(webProgram('env_file: app.env'), { 'app.env': 'A=1\nB="two"\n' });
  const [p] = configOf(result).programs;
  assert.deepEqual(p!.env_file, { files: [join(dir, 'app.env')], vars: { A: '1', B: 'two' } });
});

test('a list: later files win over earlier ones; a missing "-" file is skipped', () => {
  const { dir, result } = load(webProgram('env_file: [a.env, -missing.env, b.env]'), { 'a.env': 'A=a\nX=a\n', 'b.env': 'X=b\n' });
  const [p] = configOf(result).programs;
  assert.deepEqual(p!.env_file, { files: [join(dir, 'a.env'), `-${join(dir, 'missing.env')}`, join(dir, 'b.env')], vars: { A: 'a', X: 'b' } });
});

test('the child gets the files\' variables under the program\'s env, which wins', () => {
  const { result } = load(webProgram('env_file: app.env', 'env: {B: from-env}'), { 'app.env': 'A=file\nB=file\n' });
  const [p] = configOf(result).programs;
  const env = new ChildEnvs({ A: 'daemon', C: 'daemon' }).of({ name: 'web', program: p! } as Slot);
  assert.deepEqual([env.A, env.B, env.C], ['file', 'from-env', 'daemon']);
});

test('a missing file (not optional) is an error at the key naming the file', () => {
  const { dir, file, result } = load(webProgram('env_file: nope.env'));
  assertIssue(onlyError(result), { file, line: 4, col: 15, program: 'web', key: 'env_file', message: `cannot read the environment file ${join(dir, 'nope.env')}: it does not exist` });
});

test('a directory, or an unreadable file, is an error even with "-"', () => {
  const { dir, file, result } = load(webProgram('env_file: -sub'), { 'sub/x': '' });
  assertIssue(onlyError(result), { file, line: 4, col: 15, program: 'web', key: 'env_file', message: `cannot read the environment file ${join(dir, 'sub')}: it is a directory` });
  if (process.getuid?.() === 0) return; // root reads a file of mode 000 all the same; the directory case above stands for both
  const locked = load(webProgram('env_file: -locked.env'), { 'locked.env': 'A=1\n' });
  chmodSync(join(locked.dir, 'locked.env'), 0);
  assert.match(onlyError(loadConfig(locked.file)).message, /permission denied/);
});

test('each bad line of an env file is an error at the list entry, with the env file\'s path and line', () => {
  const { dir, file, result } = load(webProgram('env_file: [good.env, bad.env]'), { 'good.env': 'A=1\n', 'bad.env': '# ok\nB=2\nnot an assignment\nC="open\n' });
  const errors = errorsOf(result);
  assert.equal(errors.length, 2);
  const bad = join(dir, 'bad.env');
  assertIssue(errors[0]!, { file, line: 4, col: 26, program: 'web', key: 'env_file[1]', message: `${bad}:3: expected NAME=VALUE, got "not an assignment"` });
  assertIssue(errors[1]!, { file, line: 4, col: 26, program: 'web', key: 'env_file[1]', message: `${bad}:4: the double (") quote opened here is never closed` });
});

test('a value that is not a path or a list of paths is refused', () => {
  for (const [line, col, key] of [['env_file: 42', 15, 'env_file'], ['env_file: {a: b}', 15, 'env_file'], ['env_file: [ok.env, 7]', 24, 'env_file[1]'], ['env_file: "-"', 15, 'env_file']] as const) {
    const { file, result } = load(webProgram(line), { 'ok.env': '' });
    assertIssue(onlyError(result), { file, line: 4, col, program: 'web', key, message: 'expected a path to an environment file ("-PATH": optional) or a list of them' });
  }
});

test('a changed file is a changed program: a reload restarts it; the same file is no change', () => {
  const { dir, file, result } = load(webProgram('env_file: app.env'), { 'app.env': 'A=1\n' });
  const before = configOf(result).programs;
  assert.equal(diffPrograms(before, configOf(loadConfig(file)).programs).unchanged.length, 1);
  writeFileSync(join(dir, 'app.env'), 'A=2\n');
  const d = diffPrograms(before, configOf(loadConfig(file)).programs);
  assert.deepEqual(d.restart.map((r) => r.next.env_file.vars), [{ A: '2' }]);
});
