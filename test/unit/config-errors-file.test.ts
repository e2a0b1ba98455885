// Errors outside programs: the daemon section, top-level keys, YAML syntax,
// unreadable files.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load';
import { assertIssue, errorsOf, load, onlyError, writeTree } from '../fixtures/config/temp-config';

const DAEMON_ERRORS: [string, number, string, string][] = [
  ['socket: ""', 11, 'taskmasterd.socket', 'expected a path, got ""'],
  ['socket: ~', 11, 'taskmasterd.socket', 'expected a path, got null'],
  ['socket_mode: 0800', 16, 'taskmasterd.socket_mode', 'expected an octal mode from 0 to 777 (e.g. 022), got 0800'],
  ['logfile: 5', 12, 'taskmasterd.logfile', 'expected a path or null, got 5'],
  ['logfile_maxbytes: 9999999999GB', 21, 'taskmasterd.logfile_maxbytes', 'expected a size in bytes'],
  ['logfile_backups: -2', 20, 'taskmasterd.logfile_backups', 'expected an integer >= 0, got -2'],
  ['childlogdir: [a]', 16, 'taskmasterd.childlogdir', 'expected a path, got a list'],
  ['loglevel: verbose', 13, 'taskmasterd.loglevel', 'expected one of trace, debug, info, warn, error, fatal, got "verbose"'],
  ['loglevel: INFO', 13, 'taskmasterd.loglevel', 'got "INFO"'],
  ['job_output_max: lots', 19, 'taskmasterd.job_output_max', 'expected a size in bytes: an integer >= 0 or a number with unit B, KB, MB or GB (e.g. 50MB; 0 keeps no output), got "lots"'],
  ['job_retention: 1y', 18, 'taskmasterd.job_retention', 'expected a duration: seconds >= 0, or number-unit pairs with units ms, s, m, h, d (e.g. 3600, 90s, 1h30m), got "1y"'],
  ['job_retention: -1', 18, 'taskmasterd.job_retention', 'got -1'],
  ['job_max_running: 0', 20, 'taskmasterd.job_max_running', 'expected an integer >= 1, got 0'],
  ['job_kill_grace: soon', 19, 'taskmasterd.job_kill_grace', 'expected a duration'],
  ['jobs_dir: [a]', 13, 'taskmasterd.jobs_dir', 'expected a path or null, got a list'],
  ['sokcet: /x', 3, 'taskmasterd.sokcet', 'unknown key "sokcet"; did you mean "socket"? Valid keys: socket, socket_mode, logfile, logfile_maxbytes, logfile_backups, logfile_frequency, childlogdir, loglevel, umask, user, socket_owner, jobs_dir, job_output_max, job_retention, job_max_running, job_kill_grace, remote, on_exit, on_fatal, on_state, fatal_action, syslog, syslog_socket'],
];

test('each invalid daemon setting is one error with its dotted key', () => {
  for (const [line, col, key, message] of DAEMON_ERRORS) {
    const { file, result } = load(`taskmasterd:\n  ${line}\n`);
    assertIssue(onlyError(result), { file, line: 2, col, program: null, key, message });
  }
});

test('logfile: null means stderr', () => {
  const { result } = load('taskmasterd:\n  logfile: null\n');
  assert.equal(result.ok && result.config.daemon.logfile, null);
});

test('section types: taskmasterd, programs and the root must be maps', () => {
  const cases: [string, number, number, string | null, string][] = [
    ['taskmasterd: [1]\n', 1, 14, 'taskmasterd', 'expected a map with keys socket, socket_mode, logfile, logfile_maxbytes, logfile_backups, logfile_frequency, childlogdir, loglevel, umask, user, socket_owner, jobs_dir, job_output_max, job_retention, job_max_running, job_kill_grace, remote, on_exit, on_fatal, on_state, fatal_action, syslog, syslog_socket, got a list'],
    ['programs: [web]\n', 1, 11, 'programs', 'expected a map of program names to their settings, got a list'],
    ['programs: web\n', 1, 11, 'programs', 'got "web"'],
    ['- a\n- b\n', 1, 1, null, 'expected a map with keys taskmasterd, include, programs, got a list'],
    ['just text\n', 1, 1, null, 'got "just text"'],
  ];
  for (const [text, line, col, key, message] of cases) {
    const { file, result } = load(text);
    assertIssue(onlyError(result), { file, line, col, program: null, key, message });
  }
});

test('an unknown top-level key suggests the nearest', () => {
  const { file, result } = load('program:\n  web: {cmd: x}\n');
  assertIssue(onlyError(result), { file, line: 1, col: 1, program: null, key: 'program', message: 'unknown key "program"; did you mean "programs"? Valid keys: taskmasterd, include, programs' });
});

test('a top-level key given twice is an error', () => {
  const { file, result } = load('programs: {}\ntaskmasterd: {}\nprograms: {}\n');
  assertIssue(onlyError(result), { file, line: 3, col: 1, program: null, key: 'programs', message: 'key "programs" appears twice; the first is at line 1:1' });
});

test('a YAML syntax error is reported with its position, and nothing else', () => {
  const { file, result } = load('programs:\n  web:\n    cmd: [a, b\n    numprocs: 0\n');
  const errors = errorsOf(result);
  assert.ok(errors.length >= 1);
  assertIssue(errors[0]!, { file, line: 4, col: 5, program: null, key: null, message: /^invalid YAML: / });
  assert.ok(errors.every((e) => e.message.startsWith('invalid YAML: ')), JSON.stringify(errors));
});

test('a tab-indented or badly nested file gives a positioned YAML error', () => {
  const { file, result } = load('programs:\n  web:\n    cmd: a\n   bad: b: c\n');
  const first = errorsOf(result)[0]!;
  assert.equal(first.file, file);
  assert.equal(first.line, 4);
  assert.ok(first.col > 0);
  assert.match(first.message, /^invalid YAML: /);
});

test('a missing file is one error naming the file, at line 0', () => {
  const dir = writeTree({});
  const file = join(dir, 'nope.yaml');
  assert.deepEqual(loadConfig(file), {
    ok: false,
    errors: [{ file, line: 0, col: 0, program: null, key: null, message: 'cannot read the file: it does not exist' }],
    warnings: [],
  });
});

test('a directory instead of a file is an error naming it', () => {
  const dir = writeTree({});
  assertIssue(onlyError(loadConfig(dir)), { file: dir, line: 0, col: 0, program: null, key: null, message: 'it is a directory' });
});

test('a relative path to the config is recorded absolute', () => {
  const dir = writeTree({ 'c.yaml': 'programs: {x: {cmd: /bin/x}}\n' });
  const previous = process.cwd();
  process.chdir(dir);
  try {
    const result = loadConfig('c.yaml');
    assert.equal(result.ok && result.config.file, join(dir, 'c.yaml'));
  } finally {
    process.chdir(previous);
  }
});

test('taskmasterd.user: programs may run only as the user the daemon drops to', () => {
  const { file, result } = load('taskmasterd:\n  user: nobody\nprograms:\n  web:\n    cmd: /bin/true\n    user: daemon\n  ok1: {cmd: /bin/true, user: nobody}\n  ok2: {cmd: /bin/true}\n');
  assertIssue(onlyError(result), {
    file, line: 4, col: 3, program: 'web', key: 'user',
    message: 'taskmasterd drops to user "nobody" (taskmasterd.user), so its programs can run only as "nobody"; got user "daemon"',
  });
});

test('taskmasterd.socket_owner must be "user" or "user:group"', () => {
  const { file, result } = load('taskmasterd:\n  socket_owner: "a:b:c"\n');
  assertIssue(onlyError(result), { file, line: 2, col: 17, program: null, key: 'taskmasterd.socket_owner', message: 'expected "user" or "user:group", got "a:b:c"' });
});
