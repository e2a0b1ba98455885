// A program's `healthcheck:`: what it reads into, and each way it is refused,
// with file:line:col, the key below the program, and what was expected.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { effectiveProgram } from '../../src/config/effective';
import { assertIssue, configOf, errorsOf, load, onlyError, webProgram } from '../fixtures/config/temp-config';

/** The 1-based column of `token` in the program line written at line 4 (4-space indent). */
function colOf(line: string, token: string): number {
  const i = line.indexOf(token);
  assert.ok(i >= 0, `${token} in ${line}`);
  return 4 + i + 1;
}

test('a healthcheck reads into its probe and timing; absent keys take their defaults', () => {
  const cases: [string, unknown][] = [
    ['healthcheck: {tcp: 8080}', { probe: { kind: 'tcp', host: '127.0.0.1', port: 8080 }, interval: 10, timeout: 5, retries: 3, start_period: 0, action: 'restart' }],
    ['healthcheck: {tcp: "db.local:5432", retries: 1}', { probe: { kind: 'tcp', host: 'db.local', port: 5432 }, interval: 10, timeout: 5, retries: 1, start_period: 0, action: 'restart' }],
    ['healthcheck: {tcp: "[::1]:80"}', { probe: { kind: 'tcp', host: '::1', port: 80 }, interval: 10, timeout: 5, retries: 3, start_period: 0, action: 'restart' }],
    [
      'healthcheck: {http: "http://127.0.0.1:8080/health", interval: 500ms, timeout: 0.25, start_period: 1m, action: mark}',
      { probe: { kind: 'http', url: 'http://127.0.0.1:8080/health' }, interval: 0.5, timeout: 0.25, retries: 3, start_period: 60, action: 'mark' },
    ],
    ['healthcheck: {exec: "pg_isready -q"}', { probe: { kind: 'exec', cmd: 'pg_isready -q' }, interval: 10, timeout: 5, retries: 3, start_period: 0, action: 'restart' }],
  ];
  for (const [line, want] of cases) {
    const [p] = configOf(load(webProgram(line)).result).programs;
    assert.deepEqual(p!.healthcheck, want, line);
  }
  const [none] = configOf(load(webProgram()).result).programs;
  assert.equal(none!.healthcheck, null);
  const [nulled] = configOf(load(webProgram('healthcheck: null')).result).programs;
  assert.equal(nulled!.healthcheck, null);
});

test('written in block style, errors point at the line of the key below healthcheck', () => {
  const { file, result } = load(webProgram('healthcheck:', '  http: http://127.0.0.1/', '  retries: 0'));
  assertIssue(onlyError(result), { file, line: 6, col: 16, program: 'web', key: 'healthcheck.retries', message: 'expected an integer >= 1, got 0' });
});

// [line at line 4, token whose column the error names, key, message fragment]
const ERRORS: [string, string, string, string][] = [
  ['healthcheck: 8080', '8080', 'healthcheck', 'expected a map with one of tcp, http, exec and optionally interval, timeout, retries, start_period, action, got 8080'],
  ['healthcheck: {interval: 5}', 'healthcheck', 'healthcheck', 'expected exactly one of tcp, http, exec, got none'],
  ['healthcheck: {tcp: 80, http: "http://x/"}', 'http', 'healthcheck.http', 'expected exactly one of tcp, http, exec, got tcp and http'],
  ['healthcheck: {exec: "true", tcp: 80, http: "http://x/"}', 'tcp', 'healthcheck.tcp', 'got exec, tcp and http'],
  ['healthcheck: {tcp: 70000}', '70000', 'healthcheck.tcp', 'expected a port from 1 to 65535, or HOST:PORT (e.g. 8080, 127.0.0.1:8080, [::1]:8080), got 70000'],
  ['healthcheck: {tcp: "db.local"}', '"db.local"', 'healthcheck.tcp', 'got "db.local"'],
  ['healthcheck: {http: "ftp://x/"}', '"ftp://x/"', 'healthcheck.http', 'expected an http:// or https:// URL (e.g. http://127.0.0.1:8080/health), got "ftp://x/"'],
  ['healthcheck: {http: 80}', '80', 'healthcheck.http', 'expected an http:// or https:// URL'],
  ['healthcheck: {exec: ""}', '""', 'healthcheck.exec', 'expected a command line for sh -c (a non-empty string), got ""'],
  ['healthcheck: {tcp: 80, interval: 0}', '0}', 'healthcheck.interval', 'expected a duration above 0 (e.g. 30, 500ms, 90s, 2m), got 0'],
  ['healthcheck: {tcp: 80, timeout: soon}', 'soon', 'healthcheck.timeout', 'expected a duration: seconds >= 0, or number-unit pairs'],
  ['healthcheck: {tcp: 80, retries: 0}', '0}', 'healthcheck.retries', 'expected an integer >= 1, got 0'],
  ['healthcheck: {tcp: 80, start_period: -1}', '-1', 'healthcheck.start_period', 'got -1'],
  ['healthcheck: {tcp: 80, action: reboot}', 'reboot', 'healthcheck.action', 'expected one of restart, mark, got "reboot"'],
  ['healthcheck: {tcp: 80, intervall: 5}', 'intervall', 'healthcheck.intervall', 'unknown key "intervall"'],
];

test('each bad healthcheck is one error at file:line:col, naming the key and what was expected', () => {
  for (const [line, token, key, message] of ERRORS) {
    const { file, result } = load(webProgram(line));
    // Token columns are of the line as written in the program (after 4 spaces of indent).
    const col = token === 'healthcheck' ? 5 : colOf(line, token);
    assertIssue(onlyError(result), { file, line: 4, col, program: 'web', key, message });
  }
});

test('a bad probe value and a bad timing are both reported in one load', () => {
  const errors = errorsOf(load(webProgram('healthcheck: {tcp: 0, retries: -2}')).result);
  assert.deepEqual(errors.map((e) => e.key), ['healthcheck.tcp', 'healthcheck.retries']);
});

test('the effective view writes the healthcheck back so that it reads as the same', () => {
  for (const line of ['healthcheck: {tcp: "[::1]:80", action: mark}', 'healthcheck: {http: "https://h.example/health", interval: 2}', 'healthcheck: {exec: "test -f /run/ok", start_period: 30}']) {
    // Log targets as files: `auto`, the view's name of the default, is no value a config can write.
    const [p] = configOf(load(webProgram(line, 'stdout: /l/o.log', 'stderr: /l/e.log')).result).programs;
    const [back] = configOf(load(`programs:\n  web: ${JSON.stringify(effectiveProgram(p!))}\n`).result).programs;
    assert.deepEqual(back, p, line);
  }
});
