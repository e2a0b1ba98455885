// Rendering helpers: log path templates, issue formatting, the effective
// program view, and "did you mean" suggestions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { effectiveProgram } from '../../src/config/effective';
import { expandTemplate, variesPerInstance } from '../../src/config/expand';
import { formatIssue, formatIssues } from '../../src/config/format';
import { editDistance, nearest } from '../../src/config/suggest';
import { configOf, load, webProgram } from '../fixtures/config/temp-config';

const VARS = { program_name: 'web', process_num: 7, process_name: 'web:07' };

test('expandTemplate replaces the supported variables', () => {
  assert.equal(expandTemplate('/l/%(program_name)s.log', VARS), '/l/web.log');
  assert.equal(expandTemplate('/l/%(process_name)s.log', VARS), '/l/web:07.log');
  assert.equal(expandTemplate('/l/%(process_num)d.log', VARS), '/l/7.log');
  assert.equal(expandTemplate('/l/%(process_num)02d.log', VARS), '/l/07.log');
  assert.equal(expandTemplate('/l/%(process_num)04d-%(program_name)s-%(process_num)d', VARS), '/l/0007-web-7');
  assert.equal(expandTemplate('/l/%(process_num)01d', { ...VARS, process_num: 123 }), '/l/123');
});

test('expandTemplate leaves anything else alone', () => {
  for (const t of ['/plain/path', '%(unknown)s', '%(program_name)d', '%(process_num)s', '100%', '%%(program_name)x']) {
    assert.equal(expandTemplate(t, VARS), t);
  }
});

test('variesPerInstance recognises per-process names only', () => {
  assert.deepEqual(
    ['%(process_num)d', '%(process_num)03d', '%(process_name)s', '%(program_name)s', '/x', '%(process_num)s'].map(variesPerInstance),
    [true, true, true, false, false, false],
  );
});

test('formatIssue renders file:line:col, program and key', () => {
  const base = { file: '/etc/taskmaster/taskmaster.yaml', line: 12, col: 17, program: 'web', key: 'stopsignal', message: 'expected X, got "TERMM"' };
  assert.equal(formatIssue(base), '/etc/taskmaster/taskmaster.yaml:12:17: program "web", key "stopsignal": expected X, got "TERMM"');
  assert.equal(formatIssue({ ...base, program: null, key: 'taskmasterd.loglevel' }), '/etc/taskmaster/taskmaster.yaml:12:17: key "taskmasterd.loglevel": expected X, got "TERMM"');
  assert.equal(formatIssue({ ...base, key: null }), '/etc/taskmaster/taskmaster.yaml:12:17: program "web": expected X, got "TERMM"');
  assert.equal(formatIssue({ ...base, line: 0, col: 0, program: null, key: null, message: 'cannot read' }), '/etc/taskmaster/taskmaster.yaml: cannot read');
  assert.equal(formatIssues([base, { ...base, line: 13 }]), `${formatIssue(base)}\n${formatIssue({ ...base, line: 13 })}`);
  assert.equal(formatIssues([]), '');
});

test('effectiveProgram shows defaults in YAML terms', () => {
  const [p] = configOf(load(webProgram()).result).programs;
  assert.deepEqual(effectiveProgram(p!), {
    cmd: '/bin/true', numprocs: 1, umask: null, workingdir: null, autostart: true, autorestart: 'unexpected',
    exitcodes: [0], startretries: 3, starttime: 1, stopsignal: 'TERM', stoptime: 10, restartdelay: 0, restartdelay_max: 0, stdout: 'auto', stderr: 'auto',
    env: {}, user: null, priority: 999, stopasgroup: false, killasgroup: false, redirect_stderr: false,
    stdout_maxbytes: 52428800, stdout_backups: 10, stderr_maxbytes: 52428800, stderr_backups: 10,
    memory_max: null, memory_high: null, cpu_max: null, pids_max: null, io_weight: null,
    depends_on: [],
    on_exit: null, on_fatal: null, on_state: null, fatal_action: 'none',
    stdout_timestamps: false, stderr_timestamps: false, env_file: [],
    ready: null, ready_timeout: 60, watchdog_sec: null,
    healthcheck: null,
    stdin: null, tty: false,
  });
});

test('effectiveProgram shows env_file as its paths, not the variables read from them', () => {
  const { dir, result } = load(webProgram('env_file: [a.env, -b.env]'), { 'a.env': 'SECRET=x\n' });
  const [p] = configOf(result).programs;
  assert.deepEqual(effectiveProgram(p!).env_file, [`${dir}/a.env`, `-${dir}/b.env`]);
});

test('effectiveProgram writes limits as the config would: sizes with a unit, cpu_max in percent', () => {
  const [p] = configOf(load(webProgram('memory_max: 512M', 'memory_high: 1073741824', 'cpu_max: 1.5', 'pids_max: max', 'io_weight: 500')).result).programs;
  const e = effectiveProgram(p!);
  assert.deepEqual([e.memory_max, e.memory_high, e.cpu_max, e.pids_max, e.io_weight], ['512M', '1G', '150%', 'max', 500]);
  const [q] = configOf(load(webProgram('cpu_max: 20%', 'memory_max: max')).result).programs;
  assert.deepEqual([effectiveProgram(q!).cpu_max, effectiveProgram(q!).memory_max, q!.cpu_max], ['20%', 'max', 0.2]);
});

test('limit settings refused as values: every one named, at its position', () => {
  const { result } = load(webProgram('memory_max: lots', 'cpu_max: 0%', 'pids_max: 0', 'io_weight: 20000'));
  assert.equal(result.ok, false);
  const keys = result.ok ? [] : result.errors.map((e) => `${e.line}:${e.key}`);
  assert.deepEqual(keys, ['4:memory_max', '5:cpu_max', '6:pids_max', '7:io_weight']);
});

test('effectiveProgram writes umask as octal, autorestart as YAML, targets as text', () => {
  const [p] = configOf(load(webProgram('umask: 002', 'autorestart: true', 'stdout: none', 'stderr: /l/e.log', 'stopsignal: 2')).result).programs;
  const e = effectiveProgram(p!);
  assert.deepEqual([e.umask, e.autorestart, e.stdout, e.stderr, e.stopsignal], ['002', true, 'none', '/l/e.log', 'INT']);
  const [q] = configOf(load(webProgram('umask: 0o777', 'autorestart: false')).result).programs;
  assert.deepEqual([effectiveProgram(q!).umask, effectiveProgram(q!).autorestart], ['777', false]);
});

test('suggestions: nearest key within a few edits, none when far', () => {
  assert.equal(editDistance('autorestrat', 'autorestart'), 1);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(nearest('stopsignall', ['stopsignal', 'stoptime']), 'stopsignal');
  assert.equal(nearest('CMD', ['cmd', 'env']), 'cmd');
  assert.equal(nearest('usr', ['user', 'umask']), 'user');
  assert.equal(nearest('xyz', ['cmd', 'env']), null);
  assert.equal(nearest('completely_unrelated', ['cmd', 'numprocs']), null);
});
