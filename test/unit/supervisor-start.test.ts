// The Supervisor starting programs, on a fake clock and spawner: when it
// spawns, what it spawns, and how it retries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeSupervisor, program } from './supervisor-fakes';

const TOO_QUICK = 'Exited too quickly (process log may have details)';

test('start spawns once, and the process is RUNNING 1 ms after starttime (timers fire a hair early)', () => {
  const { sup, clock, spawner, transitions } = fakeSupervisor();
  const [web] = sup.addProgram(program('web', { env: { MODE: 'prod' } }));
  assert.deepEqual(sup.command(web!, { type: 'start' }), { ok: true });

  assert.equal(spawner.spawns.length, 1);
  const { spec } = spawner.spawns[0]!;
  assert.deepEqual(spec.argv, ['/opt/web']);
  assert.equal(spec.latencyFirst, false, 'a start command is part of a wave, not a lone restart');
  assert.deepEqual(spec.env, {
    PATH: '/usr/bin:/bin',
    MODE: 'prod',
    TASKMASTER_PROCESS_NAME: 'web',
    TASKMASTER_PROGRAM_NAME: 'web',
  });
  assert.deepEqual(web!.rec.state, { kind: 'STARTING', pid: 1000, spawnedAt: 0 });
  assert.deepEqual(clock.pending(), [1001], 'the starttime wake, armed by the spawned fact');

  clock.advance(1000);
  assert.equal(web!.rec.state.kind, 'STARTING');
  clock.advance(1);
  assert.deepEqual(web!.rec.state, { kind: 'RUNNING', pid: 1000, spawnedAt: 0 });
  assert.deepEqual(transitions(), ['web STOPPED→STARTING', 'web STARTING→RUNNING']);
  assert.equal(web!.wallChangedAt, clock.wallNow());
  assert.deepEqual(clock.pending(), []);
});

test('exits before starttime: BACKOFF, retried 1 s, 2 s, 3 s later (+1 ms each), FATAL after startretries+1 spawns', () => {
  const { sup, clock, spawner, transitions } = fakeSupervisor();
  const [job] = sup.addProgram(program('job', { startretries: 3 }));
  const kind = (): string => job!.rec.state.kind; // read afresh: the supervisor changes it behind the compiler's back
  sup.command(job!, { type: 'start' });
  for (let i = 0; i < 4; i++) {
    clock.advance(100);
    spawner.exit(spawner.lastPid(), 1);
    assert.equal(kind(), 'STARTING', 'the exit is handled on the next turn of the loop, not inside the exit callback');
    clock.runTurns();
    if (i < 3) {
      assert.equal(kind(), 'BACKOFF');
      assert.equal(job!.rec.spawnError, TOO_QUICK);
      clock.advance(1000 * (i + 1)); // up to retryAt: not yet
      assert.equal(kind(), 'BACKOFF');
      clock.advance(1);
    }
  }
  assert.equal(kind(), 'FATAL');
  assert.equal(job!.rec.spawnError, TOO_QUICK);
  assert.deepEqual(spawner.spawns.map((s) => s.at), [0, 1101, 3202, 6303]);
  assert.deepEqual(spawner.spawns.map((s) => s.spec.latencyFirst), [false, true, true, true], 'retries are lone restarts');
  assert.deepEqual(transitions(), [
    'job STOPPED→STARTING',
    ...Array.from({ length: 3 }, () => ['job STARTING→BACKOFF', 'job BACKOFF→STARTING']).flat(),
    'job STARTING→BACKOFF',
    'job BACKOFF→FATAL',
  ]);
  clock.advance(60_000);
  assert.equal(spawner.spawns.length, 4, 'FATAL stays put');
  assert.deepEqual(clock.pending(), []);
});

test('a spawn that fails keeps its reason in BACKOFF and FATAL, and is logged', () => {
  const { sup, clock, spawner, logged, transitions } = fakeSupervisor();
  spawner.failWith = '/opt/gone: no such file';
  const [gone] = sup.addProgram(program('gone', { startretries: 1 }));
  assert.deepEqual(sup.command(gone!, { type: 'start' }), { ok: true });
  assert.equal(gone!.rec.state.kind, 'BACKOFF');
  assert.equal(gone!.rec.spawnError, '/opt/gone: no such file');
  assert.equal(gone!.child, null);
  clock.advance(1001);
  assert.equal(gone!.rec.state.kind, 'FATAL');
  assert.equal(gone!.rec.spawnError, '/opt/gone: no such file');
  assert.deepEqual(spawner.spawns.map((s) => [s.at, s.pid]), [[0, null], [1001, null]]);
  assert.deepEqual(transitions(), ['gone STOPPED→STARTING', 'gone STARTING→BACKOFF', 'gone BACKOFF→STARTING', 'gone STARTING→BACKOFF', 'gone BACKOFF→FATAL']);
  const errors = logged.filter((e) => e.level === 'error').map((e) => e.msg);
  assert.deepEqual(errors, ['spawn error: gone: /opt/gone: no such file', 'spawn error: gone: /opt/gone: no such file']);
});

test('autorestart unexpected: an unexpected exit restarts after restartdelay, an expected one stays EXITED', () => {
  const { sup, clock, spawner, transitions } = fakeSupervisor();
  const [svc] = sup.addProgram(program('svc', { autorestart: 'unexpected', exitcodes: [0], restartdelay: 2 }));
  sup.command(svc!, { type: 'start' });
  clock.advance(5000);
  assert.equal(svc!.rec.state.kind, 'RUNNING');

  spawner.exit(1000, 3);
  clock.runTurns();
  assert.deepEqual(svc!.rec.state, { kind: 'EXITED', restartAt: 7000 });
  assert.equal(svc!.child, null);
  clock.advance(2000);
  assert.equal(spawner.spawns.length, 1, 'restartdelay has not run out until 1 ms after restartAt');
  clock.advance(1);
  assert.equal(spawner.spawns.length, 2);
  assert.equal(spawner.spawns[1]!.spec.latencyFirst, true);
  assert.deepEqual(svc!.rec.state, { kind: 'STARTING', pid: 1001, spawnedAt: 7001 });

  clock.advance(5000);
  spawner.exit(1001, 0);
  clock.runTurns();
  assert.deepEqual(svc!.rec.state, { kind: 'EXITED', restartAt: null });
  clock.advance(60_000);
  assert.equal(spawner.spawns.length, 2);
  assert.deepEqual(transitions(), [
    'svc STOPPED→STARTING',
    'svc STARTING→RUNNING',
    'svc RUNNING→EXITED',
    'svc EXITED→STARTING',
    'svc STARTING→RUNNING',
    'svc RUNNING→EXITED',
  ]);
});

test("a child's output reaches its slot's log followers; redirect_stderr sends stderr to the stdout log", () => {
  const { sup, spawner } = fakeSupervisor();
  const [plain, merged] = [...sup.addProgram(program('plain')), ...sup.addProgram(program('merged', { redirect_stderr: true }))];
  const seen: string[] = [];
  for (const slot of [plain!, merged!]) {
    slot.stdout.follow((chunk) => seen.push(`${slot.name} out ${chunk.toString()}`));
    slot.stderr.follow((chunk) => seen.push(`${slot.name} err ${chunk.toString()}`));
    sup.command(slot, { type: 'start' });
  }
  spawner.output(1000, 'stdout', 'a');
  spawner.output(1000, 'stderr', 'b');
  spawner.output(1001, 'stdout', 'c');
  spawner.output(1001, 'stderr', 'd');
  assert.deepEqual(seen, ['plain out a', 'plain err b', 'merged out c', 'merged out d']);
});

test('reload hands the account cache back: forgetAccounts reaches the spawner', () => {
  const { sup, spawner } = fakeSupervisor();
  sup.forgetAccounts();
  assert.equal(spawner.accountsForgotten, 1);
});
