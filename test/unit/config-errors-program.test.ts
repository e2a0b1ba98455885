// Every way a program's settings can be refused: each error pins file, line,
// col, program, key and what the message must say.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROGRAM_KEYS } from '../../src/config/program-fields';
import { assertIssue, errorsOf, load, onlyError, webProgram } from '../fixtures/config/temp-config';

/** [line written at line 4 (4-space indent), col, key, message fragment] */
type Case = [string, number, string, string];

// Value columns: 4 spaces + "key: " + 1.
const VALUE_ERRORS: Case[] = [
  ['numprocs: 0', 15, 'numprocs', 'expected an integer from 1 to 10000, got 0'],
  ['numprocs: 10001', 15, 'numprocs', 'got 10001'],
  ['numprocs: 1.5', 15, 'numprocs', 'expected an integer from 1 to 10000, got 1.5'],
  ['numprocs: "2"', 15, 'numprocs', 'got "2"'],
  ['umask: 0999', 12, 'umask', 'expected an octal mode from 0 to 777 (e.g. 022), got 0999'],
  ['umask: 1000', 12, 'umask', 'expected an octal mode from 0 to 777 (e.g. 022), got 1000'],
  ['umask: u=rwx', 12, 'umask', 'got "u=rwx"'],
  ['workingdir: ""', 17, 'workingdir', 'expected a path or null, got ""'],
  ['workingdir: [a]', 17, 'workingdir', 'expected a path or null, got a list'],
  ['autostart: yes', 16, 'autostart', 'expected true or false, got "yes"'],
  ['autorestart: sometimes', 18, 'autorestart', 'expected true, false or unexpected, got "sometimes"'],
  ['exitcodes: 256', 16, 'exitcodes', 'expected an integer from 0 to 255, got 256'],
  ['exitcodes: []', 16, 'exitcodes', 'expected an exit code from 0 to 255 or a non-empty list of them, got a list'],
  ['exitcodes: "0"', 16, 'exitcodes', 'expected an exit code from 0 to 255 or a non-empty list of them, got "0"'],
  ['exitcodes: [0, -1]', 20, 'exitcodes[1]', 'expected an integer from 0 to 255, got -1'],
  ['startretries: -1', 19, 'startretries', 'expected an integer >= 0, got -1'],
  ['starttime: -1', 16, 'starttime', 'expected a number of seconds >= 0 (decimals allowed, e.g. 0.5), got -1'],
  ['starttime: 5s', 16, 'starttime', 'got "5s"'],
  ['stoptime: .inf', 15, 'stoptime', 'got .inf'],
  ['stopsignal: TERMM', 17, 'stopsignal', 'expected a signal name (HUP, INT, QUIT,'],
  ['stopsignal: TERMM', 17, 'stopsignal', 'TERM, '],
  ['stopsignal: TERMM', 17, 'stopsignal', ') or number, got "TERMM"'],
  ['stopsignal: 99', 17, 'stopsignal', 'or number, got 99'],
  ['stopsignal: SIG', 17, 'stopsignal', 'got "SIG"'],
  ['stdout: 42', 13, 'stdout', 'expected a path or none, got 42'],
  ['stderr: {}', 13, 'stderr', 'expected a path or none, got a map'],
  ['env: [A]', 10, 'env', 'expected a map of NAME: value, got a list'],
  ['user: ""', 11, 'user', 'expected a user name or numeric uid, got ""'],
  ['user: [x]', 11, 'user', 'got a list'],
  ['priority: 1.5', 15, 'priority', 'expected an integer, got 1.5'],
  ['priority: high', 15, 'priority', 'expected an integer, got "high"'],
  ['stopasgroup: 1', 18, 'stopasgroup', 'expected true or false, got 1'],
  ['killasgroup: "true"', 18, 'killasgroup', 'expected true or false, got "true"'],
  ['redirect_stderr: on', 22, 'redirect_stderr', 'expected true or false, got "on"'],
  ['stdout_maxbytes: 50XB', 22, 'stdout_maxbytes', 'expected a size in bytes: an integer >= 0 or a number with unit B, KB, MB or GB (e.g. 50MB; 0 never rotates), got "50XB"'],
  ['stdout_maxbytes: -1', 22, 'stdout_maxbytes', 'got -1'],
  ['stdout_maxbytes: 1.5MB', 22, 'stdout_maxbytes', 'got "1.5MB"'],
  ['stderr_maxbytes: MB', 22, 'stderr_maxbytes', 'got "MB"'],
  ['stdout_backups: -1', 21, 'stdout_backups', 'expected an integer >= 0, got -1'],
  ['stderr_backups: x', 21, 'stderr_backups', 'expected an integer >= 0, got "x"'],
  ['stdout_timestamps: yes', 24, 'stdout_timestamps', 'expected true or false, got "yes"'],
  ['stderr_timestamps: 1', 24, 'stderr_timestamps', 'expected true or false, got 1'],
];

test('each invalid program value is one error at the value, with expected and got', () => {
  for (const [line, col, key, message] of VALUE_ERRORS) {
    const { file, result } = load(webProgram(line));
    assertIssue(onlyError(result), { file, line: 4, col, program: 'web', key, message });
  }
});

test('a key without a value points at the key', () => {
  const { file, result } = load(webProgram('numprocs:'));
  assertIssue(onlyError(result), { file, line: 4, col: 5, program: 'web', key: 'numprocs', message: 'got null' });
});

const CMD_ERRORS: [string, number, string][] = [
  ['cmd: ""', 10, 'expected a command line (a non-empty string), got ""'],
  ['cmd: 42', 10, 'expected a command line (a non-empty string), got 42'],
  ['cmd: [ls, -l]', 10, 'got a list'],
  ["cmd: \"''\"", 10, 'expected a command line whose first word names the program, got "\'\'"'],
  ['cmd: cat log | grep x', 10, 'found shell syntax ("|"), but the command is run without a shell'],
  ['cmd: cat log | grep x', 10, "to use a shell, write: cmd: sh -c 'cat log | grep x'"],
  ['cmd: "a; b"', 10, '(";")'],
  ['cmd: make && run', 10, '("&&")'],
  ['cmd: run > out.txt', 10, '(">")'],
  ['cmd: ls *.log', 10, '(the unquoted glob "*.log")'],
  ['cmd: "echo ok # comment"', 10, '(a comment "# comment")'],
  ["cmd: \"echo 'a b' | wc\"", 10, "write: cmd: sh -c 'echo '\\''a b'\\'' | wc'"],
];

test('cmd must be a non-empty string without shell syntax', () => {
  for (const [line, col, message] of CMD_ERRORS) {
    const text = ['programs:', '  web:', '    stoptime: 1', `    ${line}`, ''].join('\n');
    const { file, result } = load(text);
    assertIssue(onlyError(result), { file, line: 4, col, program: 'web', key: 'cmd', message });
  }
});

test('a missing cmd is reported at the program name', () => {
  const { file, result } = load('programs:\n  web:\n    numprocs: 1\n');
  assertIssue(onlyError(result), { file, line: 2, col: 3, program: 'web', key: 'cmd', message: 'missing required key "cmd"' });
});

test('a program must be a map', () => {
  const cases: [string, number, number, string][] = [
    ['programs:\n  web: /bin/true\n', 2, 8, 'expected a map of settings with at least "cmd", got "/bin/true"'],
    ['programs:\n  web:\n', 2, 3, 'got null'],
    ['programs:\n  web: [a]\n', 2, 8, 'got a list'],
  ];
  for (const [text, line, col, message] of cases) {
    const { file, result } = load(text);
    assertIssue(onlyError(result), { file, line, col, program: 'web', key: null, message });
  }
});

test('an unknown program key suggests the nearest and lists the valid keys', () => {
  const { file, result } = load(webProgram('autorestrat: true'));
  const issue = onlyError(result);
  assertIssue(issue, { file, line: 4, col: 5, program: 'web', key: 'autorestrat', message: 'unknown key "autorestrat"; did you mean "autorestart"? Valid keys: cmd, numprocs, umask,' });
  // Every key of the table, in its order (a key added to the table is listed without an edit here).
  assert.ok(issue.message.endsWith(`Valid keys: ${PROGRAM_KEYS.join(', ')}`), issue.message);
});

test('an unknown key far from every valid one gets no suggestion', () => {
  const { file, result } = load(webProgram('frobnicate: 1'));
  assertIssue(onlyError(result), { file, line: 4, col: 5, program: 'web', key: 'frobnicate', message: /^unknown key "frobnicate"\. Valid keys: cmd, / });
});

test('env names and values are checked one by one', () => {
  const { file, result } = load(webProgram('env:', '  "A=B": x', '  "": y', '  NULL: ~', '  MAP: {a: 1}', '  LIST: [1]', '  OK: fine'));
  const errors = errorsOf(result);
  assert.equal(errors.length, 5);
  assertIssue(errors[0]!, { file, line: 5, col: 7, program: 'web', key: 'env.A=B', message: 'expected a variable name that is non-empty and holds no "=", got "A=B"' });
  assertIssue(errors[1]!, { file, line: 6, col: 7, program: 'web', key: 'env.', message: 'got ""' });
  assertIssue(errors[2]!, { file, line: 7, col: 13, program: 'web', key: 'env.NULL', message: 'expected a string, number or boolean (write "" for an empty value), got null' });
  assertIssue(errors[3]!, { file, line: 8, col: 12, program: 'web', key: 'env.MAP', message: 'got a map' });
  assertIssue(errors[4]!, { file, line: 9, col: 13, program: 'web', key: 'env.LIST', message: 'got a list' });
});

test('numprocs > 1 with one shared log file is an error at that path', () => {
  const { file, result } = load(webProgram('numprocs: 4', 'stdout: /l/web.log', 'stderr: /l/web-%(program_name)s.log'));
  const errors = errorsOf(result);
  assert.equal(errors.length, 2);
  assertIssue(errors[0]!, { file, line: 5, col: 13, program: 'web', key: 'stdout', message: 'with numprocs 4, all instances would write to one file; expected a path containing %(process_num)d (or %(process_num)02d) or %(process_name)s, got "/l/web.log"' });
  assertIssue(errors[1]!, { file, line: 6, col: 13, program: 'web', key: 'stderr', message: 'got "/l/web-%(program_name)s.log"' });
});

test('program names: letters, digits, _ . - only, and "all" is reserved', () => {
  const { file, result } = load('programs:\n  "web:1": {cmd: a}\n  all: {cmd: b}\n  "sp ace": {cmd: c}\n  ok_1.x-y: {cmd: d}\n');
  const errors = errorsOf(result);
  assert.equal(errors.length, 3);
  assertIssue(errors[0]!, { file, line: 2, col: 3, program: 'web:1', key: null, message: 'expected a program name made of letters, digits, "_", "." and "-" (":" separates instance numbers), got "web:1"' });
  assertIssue(errors[1]!, { file, line: 3, col: 3, program: 'all', key: null, message: 'the program name "all" is reserved' });
  assertIssue(errors[2]!, { file, line: 4, col: 3, program: 'sp ace', key: null, message: 'got "sp ace"' });
});

test('a program under a bad name still has its settings checked', () => {
  const { result } = load('programs:\n  all:\n    cmd: x\n    numprocs: 0\n');
  assert.deepEqual(errorsOf(result).map((e) => [e.line, e.key]), [[2, null], [4, 'numprocs']]);
});

test('a key given twice in one program is an error naming the first', () => {
  const { file, result } = load(webProgram('stoptime: 1', 'stoptime: 2'));
  assertIssue(onlyError(result), { file, line: 5, col: 5, program: 'web', key: 'stoptime', message: 'key "stoptime" appears twice; the first is at line 4:5' });
});

test('a program defined twice in one file is an error naming both places', () => {
  const { file, result } = load('programs:\n  web: {cmd: a}\n  api: {cmd: b}\n  web: {cmd: c}\n');
  assertIssue(onlyError(result), { file, line: 4, col: 3, program: 'web', key: null, message: `program "web" is defined twice: first at ${file}:2:3, again at ${file}:4:3` });
});

test('several errors in one file are all reported at once, in reading order', () => {
  const text = [
    'taskmasterd:',
    '  loglevel: loud',
    'programs:',
    '  web:',
    '    cmd: a | b',
    '    numprocs: 0',
    '    stopsignal: NOPE',
    '  api:',
    '    umask: 8',
    '    sutostart: true',
    '',
  ].join('\n');
  const { file, result } = load(text);
  assert.deepEqual(
    errorsOf(result).map((e) => [e.file, e.line, e.col, e.program, e.key]),
    [
      [file, 2, 13, null, 'taskmasterd.loglevel'],
      [file, 5, 10, 'web', 'cmd'],
      [file, 6, 15, 'web', 'numprocs'],
      [file, 7, 17, 'web', 'stopsignal'],
      [file, 8, 3, 'api', 'cmd'],
      [file, 9, 12, 'api', 'umask'],
      [file, 10, 5, 'api', 'sutostart'],
    ],
  );
});
