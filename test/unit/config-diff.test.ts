// Reload classification: which programs are added, removed, restarted,
// updated in place, or left alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_DAEMON } from '../../src/config/defaults';
import { diffDaemon, diffPrograms } from '../../src/config/diff';
import type { ProgramConfig } from '../../src/config/types';

function program(name: string, changes: Partial<ProgramConfig> = {}): ProgramConfig {
  return {
    name, cmd: `/bin/${name}`, argv: [`/bin/${name}`], numprocs: 1, umask: null, workingdir: null,
    autostart: true, autorestart: 'unexpected', exitcodes: [0], startretries: 3, starttime: 1,
    stopsignal: 'TERM', stoptime: 10, restartdelay: 0, restartdelay_max: 0, stdout: { kind: 'auto' }, stderr: { kind: 'auto' },
    stdout_maxbytes: 1024, stdout_backups: 10, stderr_maxbytes: 1024, stderr_backups: 10,
    redirect_stderr: false, env: { A: '1', B: '2' }, user: null, priority: 999, stopasgroup: false, killasgroup: false,
    memory_max: null, memory_high: null, cpu_max: null, pids_max: null, io_weight: null,
    depends_on: [],
    on_exit: null, on_fatal: null, on_state: null, fatal_action: 'none',
    stdout_timestamps: false, stderr_timestamps: false, env_file: { files: [], vars: {} },
    ready: null, ready_timeout: 60, watchdog_sec: null,
    healthcheck: null,
    stdin: null, tty: false,
    ...changes,
  };
}

const IN_PLACE: Partial<ProgramConfig>[] = [
  { autostart: false }, { autorestart: 'always' }, { exitcodes: [0, 2] }, { startretries: 0 }, { starttime: 0.5 },
  { stopsignal: 'INT' }, { stoptime: 3 }, { stopasgroup: true }, { killasgroup: true }, { priority: 1 }, { numprocs: 4 },
  { stdout_maxbytes: 0 }, { stdout_backups: 1 }, { stderr_maxbytes: 0 }, { stderr_backups: 1 },
  { restartdelay: 1 }, { restartdelay_max: 5 },
  { on_exit: { kind: 'exec', cmd: '/bin/a', argv: ['/bin/a'], timeout: 10 } }, { fatal_action: 'shutdown' },
];

const RESTART: Partial<ProgramConfig>[] = [
  { cmd: '/bin/other', argv: ['/bin/other'] }, { argv: ['/bin/p', '-x'] }, { umask: 0o22 }, { workingdir: '/srv' },
  { env: { A: '1', B: '3' } }, { env: { A: '1' } }, { user: 'nobody' }, { stdout: { kind: 'none' } },
  { stderr: { kind: 'file', path: '/l/e' } }, { redirect_stderr: true },
  { stdout_timestamps: true }, { stderr_timestamps: true }, { env_file: { files: ['/e'], vars: { A: '1' } } },
];

test('each in-place field alone gives inPlace', () => {
  for (const change of IN_PLACE) {
    const d = diffPrograms([program('p')], [program('p', change)]);
    assert.deepEqual(d.inPlace.map((x) => x.next), [program('p', change)], JSON.stringify(change));
    assert.deepEqual([d.added, d.removed, d.restart, d.unchanged], [[], [], [], []], JSON.stringify(change));
  }
});

test('each other field alone gives restart, even alongside in-place changes', () => {
  for (const change of RESTART) {
    const next = program('p', { ...change, priority: 5 });
    const d = diffPrograms([program('p')], [next]);
    assert.deepEqual(d.restart, [{ old: program('p'), next }], JSON.stringify(change));
    assert.deepEqual([d.added, d.removed, d.inPlace, d.unchanged], [[], [], [], []], JSON.stringify(change));
  }
});

test('added, removed and unchanged are matched by name, keeping order', () => {
  const old = [program('a'), program('gone1'), program('b'), program('gone2')];
  const next = [program('new2'), program('b'), program('a'), program('new1')];
  const d = diffPrograms(old, next);
  assert.deepEqual(d.added.map((p) => p.name), ['new2', 'new1']);
  assert.deepEqual(d.removed.map((p) => p.name), ['gone1', 'gone2']);
  assert.deepEqual(d.unchanged.map((p) => p.name), ['b', 'a']);
  assert.deepEqual([d.restart, d.inPlace], [[], []]);
});

test('env written in another order is unchanged', () => {
  const d = diffPrograms([program('p', { env: { A: '1', B: '2' } })], [program('p', { env: { B: '2', A: '1' } })]);
  assert.equal(d.unchanged.length, 1);
});

test('a mixed reload classifies every program', () => {
  const d = diffPrograms(
    [program('keep'), program('tune'), program('swap'), program('drop')],
    [program('keep'), program('tune', { stoptime: 1 }), program('swap', { user: 'x' }), program('fresh')],
  );
  assert.deepEqual(
    { added: d.added.map((p) => p.name), removed: d.removed.map((p) => p.name), restart: d.restart.map((x) => x.next.name), inPlace: d.inPlace.map((x) => x.old.name), unchanged: d.unchanged.map((p) => p.name) },
    { added: ['fresh'], removed: ['drop'], restart: ['swap'], inPlace: ['tune'], unchanged: ['keep'] },
  );
});

test('diffDaemon names the keys that differ', () => {
  assert.deepEqual(diffDaemon(DEFAULT_DAEMON, { ...DEFAULT_DAEMON }), []);
  assert.deepEqual(diffDaemon(DEFAULT_DAEMON, { ...DEFAULT_DAEMON, loglevel: 'debug', logfile: '/l', socket_mode: 0o600 }), ['socket_mode', 'logfile', 'loglevel']);
});
