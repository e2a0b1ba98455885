// The tables in program-fields.ts and daemon-fields.ts are the one home of
// what a setting is. These pin that the accepted keys, the defaults, the
// types, the reload classification and the effective view all follow them,
// so a field added to a table cannot be missing from any of them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DAEMON_FIELDS, DAEMON_KEYS } from '../../src/config/daemon-fields';
import { DEFAULT_DAEMON } from '../../src/config/defaults';
import { diffPrograms, IN_PLACE_FIELDS } from '../../src/config/diff';
import { effectiveProgram } from '../../src/config/effective';
import { PROGRAM_FIELDS, PROGRAM_KEYS, type ProgramKey } from '../../src/config/program-fields';
import type { AutoRestart, DaemonSettings, LogTarget, ProgramConfig } from '../../src/config/types';
import { configOf, load, onlyError, webProgram } from '../fixtures/config/temp-config';

// Compile time: ProgramConfig holds the table's keys plus name and argv, nothing else.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const typeFollowsTable: Same<keyof ProgramConfig, ProgramKey | 'name' | 'argv'> = true;
// …each typed by its entry, not widened to unknown.
const valuesTyped: [Same<ProgramConfig['umask'], number | null>, Same<ProgramConfig['stdout'], LogTarget>, Same<ProgramConfig['autorestart'], AutoRestart>] = [true, true, true];

// A value other than the default for every key; the mapped type makes a new
// table entry a compile error here until it gets one.
const OTHER: { [K in ProgramKey]: ProgramConfig[K] } = {
  cmd: '/bin/false', numprocs: 2, umask: 0o22, workingdir: '/srv', autostart: false, autorestart: 'always',
  exitcodes: [0, 2], startretries: 0, starttime: 0.5, stopsignal: 'INT', stoptime: 3,
  stdout: { kind: 'file', path: '/l/%(process_num)d.out' }, stderr: { kind: 'none' }, env: { A: '1' }, user: 'nobody',
  priority: 1, stopasgroup: true, killasgroup: true, restartdelay: 1, restartdelay_max: 5, redirect_stderr: true,
  stdout_maxbytes: 0, stdout_backups: 1, stderr_maxbytes: 1024, stderr_backups: 2,
  memory_max: 512 * 1024 ** 2, memory_high: 'max', cpu_max: 0.5, pids_max: 64, io_weight: 200,
  depends_on: ['db'],
  on_exit: { kind: 'exec', cmd: '/bin/true', argv: ['/bin/true'], timeout: 10 },
  on_fatal: { kind: 'webhook', url: 'http://h/x', timeout: 10, retries: 3 },
  on_state: { kind: 'exec', cmd: '/bin/true', argv: ['/bin/true'], timeout: 1 },
  fatal_action: 'shutdown',
  stdout_timestamps: true, stderr_timestamps: true, env_file: { files: ['/etc/default/app'], vars: { A: '1' } },
  ready: { kind: 'tcp', host: '127.0.0.1', port: 8080 }, ready_timeout: 5, watchdog_sec: 10,
  healthcheck: { probe: { kind: 'tcp', host: '127.0.0.1', port: 80 }, interval: 10, timeout: 5, retries: 3, start_period: 0, action: 'mark' },
  stdin: 'pipe', tty: true,
};

test('ProgramConfig is derived from the table', () => {
  assert.deepEqual([typeFollowsTable, ...valuesTyped], [true, true, true, true]);
});

test('every key of the table is in a loaded program, at its default when absent', () => {
  const [p] = configOf(load(webProgram()).result).programs;
  assert.deepEqual(Object.keys(p!).sort(), [...PROGRAM_KEYS, 'name', 'argv'].sort());
  for (const key of PROGRAM_KEYS) {
    if (key === 'cmd') continue; // required: never absent from a loaded program
    const spec = PROGRAM_FIELDS[key];
    const expected = spec.defaultFrom === undefined ? spec.default : p![spec.defaultFrom as ProgramKey];
    assert.deepEqual(p![key], expected, key);
  }
});

test('a default that follows another key takes its value, unless written', () => {
  const [follows] = configOf(load(webProgram('stopasgroup: true')).result).programs;
  const [own] = configOf(load(webProgram('stopasgroup: true', 'killasgroup: false')).result).programs;
  assert.deepEqual([follows!.killasgroup, own!.killasgroup], [true, false]);
  for (const key of PROGRAM_KEYS) {
    const from = PROGRAM_FIELDS[key].defaultFrom;
    if (from !== undefined) assert.ok((PROGRAM_KEYS as readonly string[]).includes(from), `${key} follows unknown key ${from}`);
  }
});

test('defaults are fresh copies: no two programs share an array or a map', () => {
  const [a, b] = configOf(load('programs:\n  a:\n    cmd: /bin/true\n  b:\n    cmd: /bin/true\n').result).programs;
  a!.exitcodes.push(7);
  a!.env.X = 'y';
  assert.deepEqual([b!.exitcodes, b!.env, PROGRAM_FIELDS.exitcodes.default, PROGRAM_FIELDS.env.default], [[0], {}, [0], {}]);
});

test('a change of each field alone is applied in place or by a restart, as its table entry says', () => {
  const [p] = configOf(load(webProgram()).result).programs;
  for (const key of PROGRAM_KEYS) {
    assert.ok(['in-place', 'restart'].includes(PROGRAM_FIELDS[key].onChange), key);
    const d = diffPrograms([p!], [{ ...p!, [key]: OTHER[key] }]);
    const inPlace = PROGRAM_FIELDS[key].onChange === 'in-place';
    assert.deepEqual([d.inPlace.length, d.restart.length], inPlace ? [1, 0] : [0, 1], key);
  }
  assert.deepEqual([...IN_PLACE_FIELDS].sort(), PROGRAM_KEYS.filter((k) => PROGRAM_FIELDS[k].onChange === 'in-place').sort());
});

test('an unknown key lists exactly the keys of the table, in its order', () => {
  const issue = onlyError(load(webProgram('frobnicate: 1')).result);
  assert.equal(issue.message, `unknown key "frobnicate". Valid keys: ${PROGRAM_KEYS.join(', ')}`);
});

test('the effective view shows every key of the table and reads back as the same program', () => {
  // Log targets as files: `auto` is how the view names the default, not a value a config can write.
  const [p] = configOf(load(webProgram('stdout: /l/o.log', 'stderr: /l/e.log', 'umask: 022', 'env: {A: "1"}')).result).programs;
  const shown = effectiveProgram(p!);
  assert.deepEqual(Object.keys(shown), [...PROGRAM_KEYS]);
  const [back] = configOf(load(`programs:\n  web: ${JSON.stringify(shown)}\n`).result).programs;
  assert.deepEqual(back, p);
});

test('the daemon section: its keys, defaults and unknown-key list come from its table', () => {
  const { result } = load(`taskmasterd:\n  frobnicate: 1\n${webProgram()}`);
  assert.equal(onlyError(result).message, `unknown key "frobnicate". Valid keys: ${DAEMON_KEYS.join(', ')}`);
  const keys: Same<keyof DaemonSettings, keyof typeof DAEMON_FIELDS> = true;
  assert.equal(keys, true);
  const { daemon } = configOf(load(webProgram()).result);
  assert.deepEqual(Object.keys(daemon), [...DAEMON_KEYS]);
  for (const key of DAEMON_KEYS) assert.deepEqual(daemon[key], DAEMON_FIELDS[key].default, key);
  assert.deepEqual(DEFAULT_DAEMON, daemon);
});
