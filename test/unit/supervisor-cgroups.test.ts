// The supervisor in the cgroup mode, on a fake clock and a recording cgroup
// edge: each spawn gets its instance's cgroup with the program's limits,
// stoptime's SIGKILL kills the whole cgroup, what outlives the main process
// is killed after stoptime, an OOM kill is reported as such, a reload's new
// limits reach the live cgroup, and a detached process leaves it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { statusOf } from '../../src/supervisor/status';
import { fakeSupervisor, program, RecordingCgroups, runningSrv } from './supervisor-fakes';

function running(changes: Parameters<typeof program>[1] = {}) {
  const cgroups = new RecordingCgroups();
  return { ...runningSrv(changes, cgroups), cgroups };
}

test('a spawn gets its instance\'s cgroup, limits written first, and the spawner is told to place the child there', () => {
  const { cgroups, spawner, slot } = running({ memory_max: 1024, cpu_max: 0.5 });
  assert.deepEqual(cgroups.calls, ['prepare /cg/programs/srv:0 memory_max=1024 cpu_max=0.5']);
  assert.equal(spawner.spawns[0]!.spec.cgroup, '/cg/programs/srv:0');
  assert.equal(slot.cgroup, '/cg/programs/srv:0');
});

test('without cgroups the spawner is asked for none', () => {
  const f = fakeSupervisor();
  const [slot] = f.sup.addProgram(program('srv'));
  f.sup.command(slot!, { type: 'start' });
  assert.equal(f.spawner.spawns[0]!.spec.cgroup, null);
  assert.equal(slot!.cgroup, null);
});

test('stoptime running out kills the whole cgroup with the SIGKILL', () => {
  const { sup, slot, clock, cgroups, signaller } = running({ stoptime: 5 });
  sup.command(slot, { type: 'stop' });
  clock.advance(5001);
  assert.deepEqual(signaller.sent, ['TERM 1000', 'KILL 1000']);
  assert.deepEqual(cgroups.calls.slice(1), ['kill /cg/programs/srv:0']);
});

test('a setsid grandchild left after the main process exits on the stop signal is killed when stoptime runs out, then the cgroup removed', () => {
  const { sup, slot, clock, cgroups, spawner } = running({ stoptime: 5 });
  sup.command(slot, { type: 'stop' });
  clock.advance(1000);
  cgroups.populatedDirs.add('/cg/programs/srv:0');
  spawner.exit(1000, null, 'SIGTERM');
  clock.runTurns();
  assert.equal(slot.rec.state.kind, 'STOPPED');
  assert.deepEqual(cgroups.calls.slice(1), []);
  clock.advance(3999);
  assert.deepEqual(cgroups.calls.slice(1), [], 'not before stoptime is up');
  clock.advance(2);
  assert.deepEqual(cgroups.calls.slice(1), ['kill /cg/programs/srv:0', 'remove /cg/programs/srv:0']);
});

test('an empty cgroup is removed as soon as the main process has exited', () => {
  const { sup, slot, clock, cgroups, spawner } = running();
  sup.command(slot, { type: 'stop' });
  spawner.exit(1000, null, 'SIGTERM');
  clock.runTurns();
  assert.deepEqual(cgroups.calls.slice(1), ['remove /cg/programs/srv:0']);
});

test('an OOM kill during the run: status says so with the limit, and the exit is not expected', () => {
  const { slot, clock, cgroups, spawner } = running({ memory_max: 512 * 1024 ** 2, autorestart: 'never' });
  cgroups.oomKillCount = 1;
  spawner.exit(1000, null, 'SIGKILL');
  clock.runTurns();
  assert.equal(slot.rec.lastExit?.expected, false);
  assert.equal(slot.rec.lastExit?.oom, 'killed by the OOM killer (memory_max 512M)');
  assert.match(statusOf(slot, clock.now()).description, /killed by the OOM killer \(memory_max 512M\), terminated by SIGKILL \(not expected\)/);
});

test('an oom_kill count from before the run is not this run\'s', () => {
  const cgroups = new RecordingCgroups();
  cgroups.oomKillCount = 3;
  const f = fakeSupervisor(undefined, cgroups);
  const [slot] = f.sup.addProgram(program('srv', { exitcodes: [0] }));
  f.sup.command(slot!, { type: 'start' });
  f.clock.advance(1001);
  f.spawner.exit(1000, 0, null);
  f.clock.runTurns();
  assert.equal(slot!.rec.lastExit?.oom, undefined);
  assert.equal(slot!.rec.lastExit?.expected, true);
});

test('a reload that changes a limit writes it to the running instance\'s cgroup; the pid stays', () => {
  const { sup, slot, cgroups } = running({ memory_max: 1024 });
  sup.updateProgram(slot, program('srv', { memory_max: 2048 }), slot.policy);
  assert.deepEqual(cgroups.calls.slice(1), ['change /cg/programs/srv:0 memory_max 1024→2048']);
  assert.equal(slot.child?.pid, 1000);
  sup.updateProgram(slot, program('srv', { memory_max: 2048, startretries: 9 }), slot.policy);
  assert.equal(cgroups.calls.length, 2, 'no write when no limit changed');
});

test('a detached process is moved out of its instance\'s cgroup', () => {
  const { sup, slot, cgroups } = running();
  sup.command(slot, { type: 'detach' });
  assert.deepEqual(cgroups.calls.slice(1), ['detach 1000 srv']);
});
