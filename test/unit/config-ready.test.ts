// `ready:`, ready_timeout and watchdog_sec: what each form reads as, and each
// bad value refused with its file:line:col.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { effectiveProgram } from '../../src/config/effective';
import { assertIssue, configOf, load, onlyError, webProgram } from '../fixtures/config/temp-config';

test('each form of ready: reads as its check, and shows back as written', () => {
  const cases: [string, unknown, unknown][] = [
    ['ready: notify', { kind: 'notify' }, 'notify'],
    ['ready: {log: "listening on \\\\d+"}', { kind: 'log', pattern: 'listening on \\d+' }, { log: 'listening on \\d+' }],
    ['ready: {tcp: 8080}', { kind: 'tcp', host: '127.0.0.1', port: 8080 }, { tcp: '127.0.0.1:8080' }],
    ['ready: {tcp: "db.local:5432"}', { kind: 'tcp', host: 'db.local', port: 5432 }, { tcp: 'db.local:5432' }],
    ['ready: {tcp: "[::1]:80"}', { kind: 'tcp', host: '::1', port: 80 }, { tcp: '[::1]:80' }],
    ['ready: {http: "http://127.0.0.1:8080/health"}', { kind: 'http', url: 'http://127.0.0.1:8080/health' }, { http: 'http://127.0.0.1:8080/health' }],
    ['ready: {exec: "pg_isready -q"}', { kind: 'exec', cmd: 'pg_isready -q' }, { exec: 'pg_isready -q' }],
    ['ready: ~', null, null],
  ];
  for (const [line, check, shown] of cases) {
    const [web] = configOf(load(webProgram(line)).result).programs;
    assert.deepEqual(web!.ready, check, line);
    assert.deepEqual(effectiveProgram(web!).ready, shown, line);
  }
});

test('defaults: no check, ready_timeout 60 s, no watchdog; durations may carry units', () => {
  const [plain] = configOf(load(webProgram()).result).programs;
  assert.deepEqual([plain!.ready, plain!.ready_timeout, plain!.watchdog_sec], [null, 60, null]);
  const [web] = configOf(load(webProgram('ready: notify', 'ready_timeout: 2m', 'watchdog_sec: 1.5')).result).programs;
  assert.deepEqual([web!.ready_timeout, web!.watchdog_sec], [120, 1.5]);
});

/** [line at line 4, col, key, message fragment] */
const ERRORS: [string, number, string, string][] = [
  ['ready: yes', 12, 'ready', 'expected notify or a map of one check (log: REGEX, tcp: PORT or HOST:PORT, http: URL, exec: COMMAND), got "yes"'],
  ['ready: {tcp: 1, http: "http://x"}', 12, 'ready', 'got a map'],
  ['ready: {udp: 53}', 13, 'ready.udp', 'unknown readiness check "udp": expected one of log, tcp, http, exec (or ready: notify)'],
  ['ready: {tcp: 70000}', 18, 'ready.tcp', 'expected a port from 1 to 65535, or HOST:PORT (e.g. 8080, 127.0.0.1:8080, [::1]:8080), got 70000'],
  ['ready: {tcp: "host:"}', 18, 'ready.tcp', 'got "host:"'],
  ['ready: {http: "ftp://x/"}', 19, 'ready.http', 'expected an http:// or https:// URL (e.g. http://127.0.0.1:8080/health), got "ftp://x/"'],
  ['ready: {log: "("}', 18, 'ready.log', 'expected a regular expression, got "(": Invalid regular expression'],
  ['ready: {exec: ""}', 19, 'ready.exec', 'expected a command line for sh -c (a non-empty string), got ""'],
  ['ready_timeout: 0', 20, 'ready_timeout', 'expected a duration above 0 (e.g. 30, 500ms, 90s, 2m), got 0'],
  ['ready_timeout: soon', 20, 'ready_timeout', 'expected a duration: seconds >= 0'],
];

test('each bad readiness value is one error at the value, with expected and got', () => {
  for (const [line, col, key, message] of ERRORS) {
    // ready_timeout's lines come after a valid ready:, on line 5.
    const own = line.startsWith('ready:');
    const { file, result } = load(own ? webProgram(line) : webProgram('ready: notify', line));
    const at = own ? 4 : 5;
    assertIssue(onlyError(result), { file, line: at, col, program: 'web', key, message });
  }
});

test('watchdog_sec needs ready: notify, and says so at the key', () => {
  const { file, result } = load(webProgram('ready: {tcp: 80}', 'watchdog_sec: 10'));
  assertIssue(onlyError(result), { file, line: 5, col: 5, program: 'web', key: 'watchdog_sec', message: 'watchdog_sec needs ready: notify' });
  const bad = load(webProgram('ready: notify', 'watchdog_sec: -1'));
  assertIssue(onlyError(bad.result), { file: bad.file, line: 5, col: 19, program: 'web', key: 'watchdog_sec', message: 'got -1' });
});

test('ready_timeout without ready: is a warning, not an error', () => {
  const { result } = load(webProgram('ready_timeout: 5'));
  assert.ok(result.ok);
  assert.equal(result.warnings.length, 1);
  assert.match(result.warnings[0]!.message, /ready_timeout is ignored without ready:/);
});
