// The Supervisor stopping and signalling programs, on a fake clock and a
// recording signaller: which signal goes to whom, and when.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flushPromises, program, runningSrv } from './supervisor-fakes';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { ActionOutcomeSchema, ProcessState } from '../../src/gen/taskmaster/v1/control_pb';

const outcome = (init: MessageInitShape<typeof ActionOutcomeSchema>) => create(ActionOutcomeSchema, init);

const running = runningSrv;

test('stop sends stopsignal, SIGKILL 1 ms after stoptime runs out, and STOPPED comes with the exit', () => {
  const { sup, slot, clock, spawner, signaller, transitions } = running({ stopsignal: 'INT', stoptime: 5 });
  assert.deepEqual(sup.command(slot, { type: 'stop' }), { ok: true });
  assert.deepEqual(signaller.sent, ['INT 1000']);
  assert.deepEqual(slot.rec.state, { kind: 'STOPPING', pid: 1000, spawnedAt: 0, killAt: 6001, killed: false });
  clock.advance(5000);
  assert.deepEqual(signaller.sent, ['INT 1000']);
  clock.advance(1);
  assert.deepEqual(signaller.sent, ['INT 1000', 'KILL 1000']);
  assert.equal(slot.rec.state.kind, 'STOPPING');
  clock.advance(30_000);
  assert.deepEqual(signaller.sent, ['INT 1000', 'KILL 1000'], 'SIGKILL is sent once');
  spawner.exit(1000, null, 'SIGKILL');
  clock.runTurns();
  assert.deepEqual(slot.rec.state, { kind: 'STOPPED' });
  assert.deepEqual(slot.rec.lastExit, { code: null, signal: 'SIGKILL', expected: false, at: 36_002 });
  assert.deepEqual(transitions(), ['srv STOPPED→STARTING', 'srv STARTING→RUNNING', 'srv RUNNING→STOPPING', 'srv STOPPING→STOPPED']);
  assert.equal(spawner.spawns.length, 1, 'a stopped process is not restarted');
});

test('a child that exits on the stop signal is STOPPED without SIGKILL, and its wake is dropped', () => {
  const { sup, slot, clock, spawner, signaller } = running();
  sup.command(slot, { type: 'stop' });
  clock.advance(200);
  spawner.exit(1000, null, 'SIGTERM');
  clock.runTurns();
  assert.equal(slot.rec.state.kind, 'STOPPED');
  assert.deepEqual(clock.pending(), []);
  clock.advance(60_000);
  assert.deepEqual(signaller.sent, ['TERM 1000']);
});

test('stopasgroup: stopsignal and SIGKILL go to the process group', () => {
  const { sup, slot, clock, signaller } = running({ stopasgroup: true, killasgroup: true });
  sup.command(slot, { type: 'stop' });
  clock.advance(10_001);
  assert.deepEqual(signaller.sent, ['TERM -1000', 'KILL -1000']);
});

test('killasgroup: a group that outlives the main process gets SIGKILL when stoptime runs out, and groupsReaped waits for it', async () => {
  const { sup, slot, clock, spawner, signaller, logged } = running({ killasgroup: true, stoptime: 10 });
  signaller.liveGroups.add(1000); // a grandchild that ignores SIGTERM
  sup.command(slot, { type: 'stop' }); // at 1001: killAt 11_001
  assert.deepEqual(signaller.sent, ['TERM 1000']);
  clock.advance(3000);
  spawner.exit(1000, null, 'SIGTERM');
  clock.runTurns(); // at 4001
  assert.equal(slot.rec.state.kind, 'STOPPED');
  let reaped = false;
  void sup.groupsReaped().then(() => (reaped = true));

  clock.advance(6999);
  await flushPromises();
  assert.deepEqual(signaller.sent, ['TERM 1000']);
  assert.equal(reaped, false, 'the group SIGKILL is still to come');
  clock.advance(1);
  await flushPromises();
  assert.deepEqual(signaller.sent, ['TERM 1000', 'KILL -1000']);
  assert.equal(reaped, true);
  assert.ok(logged.some((e) => e.msg === 'sent SIGKILL to srv (group 1000)'));
});

test('killasgroup: no group left when the main process exits, nothing to reap', async () => {
  const { sup, slot, clock, spawner, signaller } = running({ killasgroup: true });
  sup.command(slot, { type: 'stop' });
  spawner.exit(1000, null, 'SIGTERM');
  clock.runTurns();
  await sup.groupsReaped();
  clock.advance(60_000);
  assert.deepEqual(signaller.sent, ['TERM 1000']);
});

test('killasgroup after SIGKILL already went: a surviving group is killed at once', () => {
  const { sup, slot, clock, spawner, signaller } = running({ killasgroup: true, stoptime: 1 });
  sup.command(slot, { type: 'stop' });
  clock.advance(1001);
  assert.deepEqual(signaller.sent, ['TERM 1000', 'KILL -1000']);
  signaller.liveGroups.add(1000);
  spawner.exit(1000, null, 'SIGKILL');
  clock.runTurns();
  clock.advance(0);
  assert.deepEqual(signaller.sent, ['TERM 1000', 'KILL -1000', 'KILL -1000']);
});

test('a kill that finds the process gone (ESRCH) is not an error; any other failure is logged', () => {
  const { sup, slot, signaller, logged } = running();
  signaller.refuse.set(1000, { code: 'ESRCH', message: 'kill ESRCH' });
  sup.command(slot, { type: 'stop' });
  assert.deepEqual(logged.filter((e) => e.level === 'error'), []);

  const other = running();
  other.signaller.refuse.set(1000, { code: 'EPERM', message: 'kill EPERM' });
  other.sup.command(other.slot, { type: 'stop' });
  assert.deepEqual(other.logged.filter((e) => e.level === 'error').map((e) => e.msg), ['cannot signal srv: kill EPERM']);
});

test('signal reaches a running process only, outside the state machine', () => {
  const { sup, slot, signaller, transitions } = running();
  assert.deepEqual(sup.signal(slot, 'HUP'), outcome({ name: 'srv', ok: true, state: ProcessState.RUNNING }));
  assert.deepEqual(signaller.sent, ['HUP 1000']);
  signaller.refuse.set(1000, { code: 'ESRCH', message: 'kill ESRCH' });
  assert.deepEqual(sup.signal(slot, 'USR1'), outcome({ name: 'srv', ok: false, state: ProcessState.RUNNING, error: { code: 'ENOTRUNNING', message: 'kill ESRCH' } }));
  assert.deepEqual(transitions(), ['srv STOPPED→STARTING', 'srv STARTING→RUNNING']);

  const [idle] = sup.addProgram(program('idle'));
  assert.deepEqual(sup.signal(idle!, 'HUP'), outcome({ name: 'idle', ok: false, state: ProcessState.STOPPED, error: { code: 'ENOTRUNNING', message: 'not running' } }));
  assert.deepEqual(signaller.sent, ['HUP 1000', 'USR1 1000']);
});
