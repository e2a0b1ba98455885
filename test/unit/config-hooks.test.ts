// The hooks' settings (on_exit, on_fatal, on_state), fatal_action and
// syslog: what they read as, and each refusal at its file:line:col.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertIssue, configOf, errorsOf, load, onlyError, webProgram } from '../fixtures/config/temp-config';

test('a program hook reads as exec (split like cmd) or webhook, with the defaults timeout 10 s and retries 3', () => {
  const [web] = configOf(
    load(webProgram("on_exit: {exec: \"/usr/local/bin/alert --to 'ops team'\"}", 'on_fatal: {webhook: "https://h.example/x?k=1", timeout: 2s, retries: 0}', 'fatal_action: shutdown')).result,
  ).programs;
  assert.deepEqual(web!.on_exit, { kind: 'exec', cmd: "/usr/local/bin/alert --to 'ops team'", argv: ['/usr/local/bin/alert', '--to', 'ops team'], timeout: 10 });
  assert.deepEqual(web!.on_fatal, { kind: 'webhook', url: 'https://h.example/x?k=1', timeout: 2, retries: 0 });
  assert.deepEqual([web!.on_state, web!.fatal_action], [null, 'shutdown']);
});

test('the daemon section takes the same hooks, fatal_action and syslog', () => {
  const { daemon } = configOf(load(`taskmasterd:\n  on_state: {webhook: "http://127.0.0.1:9/h", retries: 1}\n  fatal_action: shutdown\n  syslog: true\n  syslog_socket: /run/log.sock\n${webProgram()}`).result);
  assert.deepEqual(daemon.on_state, { kind: 'webhook', url: 'http://127.0.0.1:9/h', timeout: 10, retries: 1 });
  assert.deepEqual([daemon.fatal_action, daemon.syslog, daemon.syslog_socket, daemon.on_exit], ['shutdown', true, '/run/log.sock', null]);
});

/** [line at line 4, col, key, message fragment] */
const ERRORS: [string, number, number, string, string][] = [
  ['on_exit: /bin/alert', 4, 14, 'on_exit', 'expected a map with exec (a command) or webhook (an http or https URL), and optionally timeout, retries'],
  ['on_exit: {}', 4, 14, 'on_exit', 'expected exactly one of exec or webhook, got neither'],
  ['on_exit: {exec: /bin/a, webhook: "http://h/"}', 4, 14, 'on_exit', 'expected exactly one of exec or webhook, got both'],
  ['on_state: {exec: "a | b"}', 4, 22, 'on_state.exec', 'found shell syntax ("|")'],
  ['on_fatal: {webhook: "ftp://h/x"}', 4, 25, 'on_fatal.webhook', 'expected an http or https URL'],
  ['on_fatal: {webhook: "http://h/", retries: 11}', 4, 47, 'on_fatal.retries', 'expected an integer from 0 to 10, got 11'],
  ['on_fatal: {exec: /bin/a, retries: 2}', 4, 30, 'on_fatal.retries', 'retries is for a webhook'],
  ['on_exit: {exec: /bin/a, timeout: 0}', 4, 38, 'on_exit.timeout', 'expected a duration > 0'],
  ['on_exit: {exec: /bin/a, timeout: soon}', 4, 38, 'on_exit.timeout', 'expected a duration'],
  ['on_exit: {exec: /bin/a, tries: 2}', 4, 29, 'on_exit.tries', 'unknown key "tries"'],
  ['fatal_action: stop', 4, 19, 'fatal_action', 'expected one of none, shutdown, got "stop"'],
];

test('each bad hook or fatal_action is one error at its place, saying what was expected', () => {
  for (const [line, at, col, key, message] of ERRORS) {
    const { file, result } = load(webProgram(line));
    assertIssue(onlyError(result), { file, line: at, col, program: 'web', key, message });
  }
});

test('a bad syslog setting of the daemon names its place', () => {
  const { file, result } = load(`taskmasterd:\n  syslog: yes\n  syslog_socket: ""\n${webProgram()}`);
  const errors = errorsOf(result);
  assert.equal(errors.length, 2);
  assertIssue(errors[0]!, { file, line: 2, col: 11, program: null, key: 'taskmasterd.syslog', message: 'expected true or false, got "yes"' });
  assertIssue(errors[1]!, { file, line: 3, col: 18, program: null, key: 'taskmasterd.syslog_socket', message: 'expected a path, got ""' });
});
