// Remembered intent: a process stopped by hand is not autostarted by a later
// daemon while its program's config is the same; a changed config, or a
// start by hand, forgets it. Also: timestamps wired to the child's streams.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { programHash } from '../../src/config/program-hash';
import { intentFileIn, keepIntentFile, readIntentFile } from '../../src/daemon/intent-file';
import { applyPrograms } from '../../src/supervisor/reload';
import { statusOf } from '../../src/supervisor/status';
import { fakeSupervisor, flushPromises, program } from './supervisor-fakes';

const spawnedNames = (f: ReturnType<typeof fakeSupervisor>): string[] => f.spawner.spawns.map((s) => s.spec.env.TASKMASTER_PROCESS_NAME!);

test('at start, a remembered stop with the same config hash holds the process down; another hash does not', async () => {
  const f = fakeSupervisor();
  const web = program('web');
  const api = program('api');
  const remembered = new Map([
    ['web', programHash(web)],
    ['api', programHash(program('api', { cmd: '/opt/api --old' }))],
  ]);
  await applyPrograms(f.sup, [], [web, api], remembered);
  assert.deepEqual(spawnedNames(f), ['api']);
  const slot = f.sup.get('web')!;
  assert.equal(slot.stoppedByHand, true);
  assert.equal(f.sup.get('api')!.stoppedByHand, false);
  assert.equal(statusOf(slot, f.clock.now()).description, 'stopped by hand');
});

test('the config hash ignores the order of keys (env written in another order is the same program)', () => {
  assert.equal(programHash(program('w', { env: { A: '1', B: '2' } })), programHash(program('w', { env: { B: '2', A: '1' } })));
  assert.notEqual(programHash(program('w', { env: { A: '1' } })), programHash(program('w', { env: { A: '2' } })));
});

test('setStoppedByHand tells the intent listeners only when something changed', () => {
  const f = fakeSupervisor();
  const [web] = f.sup.addProgram(program('web'));
  let told = 0;
  f.sup.onIntentChange(() => told++);
  f.sup.setStoppedByHand([web!], true);
  f.sup.setStoppedByHand([web!], true);
  f.sup.setStoppedByHand([web!], false);
  assert.equal(told, 2);
});

test('a reload that changes a hand-stopped program in place forgets the stop and autostarts it', async () => {
  const f = fakeSupervisor();
  const old = program('web');
  await applyPrograms(f.sup, [], [old]);
  const slot = f.sup.get('web')!;
  f.sup.setStoppedByHand([slot], true);
  f.sup.command(slot, { type: 'stop' });
  f.spawner.exit(f.spawner.lastPid(), null, 'SIGTERM');
  f.clock.runTurns();
  assert.equal(slot.rec.state.kind, 'STOPPED');
  const unchanged = await applyPrograms(f.sup, [old], [old]);
  assert.deepEqual(unchanged.unchanged, ['web']);
  assert.equal(slot.stoppedByHand, true, 'an unchanged program keeps its stop');
  const next = program('web', { startretries: 9 });
  await applyPrograms(f.sup, [old], [next]);
  await flushPromises();
  assert.equal(slot.stoppedByHand, false);
  assert.equal(slot.rec.state.kind, 'STARTING');
  assert.equal(f.spawner.spawns.length, 2);
});

test('the intent file: written by rename with each hand-stopped process and its hash, read back by the next daemon', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tm-intent-'));
  try {
    const path = intentFileIn(dir);
    const f = fakeSupervisor();
    const [a, b] = [...f.sup.addProgram(program('a')), ...f.sup.addProgram(program('b', { numprocs: 2 }))];
    const errors: string[] = [];
    const stop = keepIntentFile(path, f.sup, (m) => errors.push(m));
    assert.deepEqual(readIntentFile(path, (m) => errors.push(m)), new Map<string, string>());
    f.sup.setStoppedByHand([a!, b!], true);
    await flushPromises();
    assert.deepEqual(readIntentFile(path, (m) => errors.push(m)), new Map([['a', programHash(a!.program)], ['b:0', programHash(b!.program)]]));
    f.sup.setStoppedByHand([a!], false);
    await flushPromises();
    assert.deepEqual([...readIntentFile(path, (m) => errors.push(m)).keys()], ['b:0']);
    stop();
    assert.deepEqual(errors, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no intent file is no stop; a damaged one is reported and forgotten', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tm-intent-'));
  try {
    const path = intentFileIn(dir);
    const said: string[] = [];
    assert.deepEqual(readIntentFile(path, (m) => said.push(m)), new Map<string, string>());
    assert.equal(said.length, 0);
    writeFileSync(path, '{"stopped_by_ha');
    assert.deepEqual(readIntentFile(path, (m) => said.push(m)), new Map<string, string>());
    assert.equal(said.length, 1);
    assert.match(said[0]!, /is damaged .*; every program autostarts as configured/);
    assert.ok(readFileSync(path, 'utf8').length > 0, 'a damaged file is left for a person to look at');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stdout_timestamps stamps what the child writes on that stream only, with the wall clock', () => {
  const f = fakeSupervisor();
  const [web] = f.sup.addProgram(program('web', { stdout_timestamps: true }));
  const seen: string[] = [];
  web!.stdout.follow((chunk) => seen.push(`out:${chunk.toString()}`));
  web!.stderr.follow((chunk) => seen.push(`err:${chunk.toString()}`));
  f.sup.command(web!, { type: 'start' });
  f.spawner.output(f.spawner.lastPid(), 'stdout', 'hello\n');
  f.spawner.output(f.spawner.lastPid(), 'stderr', 'plain\n');
  const stamp = new Date(f.clock.wallNow()).toISOString();
  assert.deepEqual(seen, [`out:${stamp} hello\n`, 'err:plain\n']);
});
