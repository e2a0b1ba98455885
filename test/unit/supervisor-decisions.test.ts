// How the Supervisor orders its decisions and tells those who wait: waiters,
// removal of slots, and commands that arrive while a decision is applied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create } from '@bufbuild/protobuf';
import { type ActionOutcome, ActionOutcomeSchema, ProcessState } from '../../src/gen/taskmaster/v1/control_pb';
import { fakeSupervisor, flushPromises, program } from './supervisor-fakes';

test('waitFor resolves on the transition its check is waiting for, not before', async () => {
  const { sup, clock } = fakeSupervisor();
  const [web] = sup.addProgram(program('web'));
  sup.command(web!, { type: 'start' });
  const checked: string[] = [];
  let result: ActionOutcome | null = null;
  void sup
    .waitFor(web!, (slot, transitions) => {
      checked.push(transitions.map((t) => `${t.from}→${t.to}`).join(',') || slot.rec.state.kind);
      return transitions.some((t) => t.to === 'RUNNING') ? null : 'pending';
    })
    .then((r) => (result = r));
  clock.advance(1000);
  await flushPromises();
  assert.equal(result, null);
  clock.advance(1);
  await flushPromises();
  assert.deepEqual(result, create(ActionOutcomeSchema, { name: 'web', ok: true, state: ProcessState.RUNNING }));
  assert.deepEqual(checked, ['STARTING', 'STARTING→RUNNING'], 'checked now, then after the one decision that made a transition');
  assert.equal(web!.waiters.size, 0);
});

test('waitFor answers at once when the check is already satisfied', async () => {
  const { sup } = fakeSupervisor();
  const [idle] = sup.addProgram(program('idle'));
  const r = await sup.waitFor(idle!, (slot) => (slot.rec.state.kind === 'STOPPED' ? { code: 'ESPAWN', message: 'why' } : 'pending'));
  assert.deepEqual(r, create(ActionOutcomeSchema, { name: 'idle', ok: false, state: ProcessState.STOPPED, error: { code: 'ESPAWN', message: 'why' } }));
});

test('removeSlot of a stopped slot: forgotten, its pending restart dropped, its waiters told ENOPROGRAM', async () => {
  const { sup, clock, spawner } = fakeSupervisor();
  const [a, b] = [...sup.addProgram(program('a', { autorestart: 'always', restartdelay: 5 })), ...sup.addProgram(program('b'))];
  sup.command(a!, { type: 'start' });
  clock.advance(2000);
  spawner.exit(1000, 0);
  clock.runTurns();
  assert.deepEqual(a!.rec.state, { kind: 'EXITED', restartAt: 7000 });
  const waiting = sup.waitFor(a!, () => 'pending');

  sup.removeSlot(a!);
  assert.deepEqual(
    await waiting,
    create(ActionOutcomeSchema, { name: 'a', ok: false, state: ProcessState.EXITED, error: { code: 'ENOPROGRAM', message: 'removed by a reload' } }),
  );
  assert.equal(sup.get('a'), undefined);
  assert.deepEqual(sup.list(), [b]);
  assert.equal(a!.removed, true);
  assert.deepEqual(clock.pending(), []);
  clock.advance(60_000);
  assert.equal(spawner.spawns.length, 1, 'the restart that was pending never happens');
});

test('removeSlot refuses a slot that still has a child', () => {
  const { sup } = fakeSupervisor();
  const [web] = sup.addProgram(program('web'));
  sup.command(web!, { type: 'start' });
  assert.throws(() => sup.removeSlot(web!), /removing web while STARTING/);
  assert.equal(sup.get('web'), web);
});

test('a command issued while a decision is being applied does not nest: the facts it raises wait for the outer decision', () => {
  const { sup, clock, spawner, transitions } = fakeSupervisor();
  const [a, b] = [...sup.addProgram(program('a')), ...sup.addProgram(program('b'))];
  const seenInListener: unknown[] = [];
  sup.onChange(() => {
    if (b!.rec.state.kind !== 'STOPPED' || a!.rec.state.kind !== 'STARTING') return;
    assert.deepEqual(sup.command(b!, { type: 'start' }), { ok: true });
    // Both spawns have happened; neither `spawned` fact has been decided on.
    seenInListener.push(a!.rec.state, b!.rec.state, spawner.spawns.map((s) => s.pid));
  });
  sup.command(a!, { type: 'start' });
  assert.deepEqual(seenInListener, [
    { kind: 'STARTING', pid: null, spawnedAt: 0 },
    { kind: 'STARTING', pid: null, spawnedAt: 0 },
    [1000, 1001],
  ]);
  assert.deepEqual(a!.rec.state, { kind: 'STARTING', pid: 1000, spawnedAt: 0 });
  assert.deepEqual(b!.rec.state, { kind: 'STARTING', pid: 1001, spawnedAt: 0 });
  assert.deepEqual(clock.pending(), [1001, 1001], 'each starttime wake armed once its pid is known');
  clock.advance(1001);
  assert.deepEqual(transitions(), ['a STOPPED→STARTING', 'b STOPPED→STARTING', 'a STARTING→RUNNING', 'b STARTING→RUNNING']);
});
