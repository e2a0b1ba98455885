// depends_on at the supervisor, on a fake clock and spawner: a process is
// spawned on the decision that makes what it needs RUNNING, not before; a
// FATAL dependency holds it with the reason; stops go dependents first.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dependentsLeftUp, startAll, stopAll } from '../../src/supervisor/actions';
import { statusOf } from '../../src/supervisor/status';
import type { Slot } from '../../src/supervisor/slot';
import { fakeSupervisor, flushPromises, program } from './supervisor-fakes';

/** db, and web that depends on it, both stopped (autostart is the daemon's business, not the supervisor's). */
function dbAndWeb(db: Parameters<typeof program>[1] = {}) {
  const f = fakeSupervisor();
  const [dbSlot] = f.sup.addProgram(program('db', db));
  const [webSlot] = f.sup.addProgram(program('web', { depends_on: ['db'] }));
  const spawned = () => f.spawner.spawns.map((s) => `${s.spec.argv[0]!.slice('/opt/'.length)}@${s.at}`);
  return { ...f, db: dbSlot!, web: webSlot!, spawned };
}

const description = (slot: Slot, now: number) => statusOf(slot, now).description;

/** db's first spawn exits at once: with startretries 0 it is FATAL a retry interval later. */
function failDb(f: ReturnType<typeof dbAndWeb>): void {
  f.spawner.exit(f.spawner.spawns.find((s) => s.spec.argv[0] === '/opt/db')!.pid!, 1);
  f.clock.runTurns();
  f.clock.advance(1001);
  assert.equal(f.db.rec.state.kind, 'FATAL');
}

test('web is spawned on the decision that makes db RUNNING, not before, and both starts answer once RUNNING', async () => {
  const f = dbAndWeb();
  // web first in the list: the order asked for does not matter, the graph does.
  const done = startAll(f.sup, [f.web, f.db], false);
  assert.deepEqual(f.spawned(), ['db@0']);
  assert.equal(f.web.rec.state.kind, 'STOPPED');
  assert.equal(description(f.web, 0), 'waiting for db (STARTING)');
  f.clock.advance(1000);
  assert.deepEqual(f.spawned(), ['db@0'], 'db is still STARTING');
  f.clock.advance(1);
  assert.equal(f.db.rec.state.kind, 'RUNNING');
  assert.deepEqual(f.spawned(), ['db@0', 'web@1001']);
  assert.equal(f.web.waitingFor, null);
  f.clock.advance(1001);
  const outcomes = await done;
  assert.deepEqual(outcomes.map((o) => [o.name, o.ok]), [['db', true], ['web', true]]);
});

test('start web alone starts db first, and answers for both', async () => {
  const f = dbAndWeb();
  const done = startAll(f.sup, [f.web], false);
  assert.deepEqual(f.spawned(), ['db@0']);
  f.clock.advance(1001);
  f.clock.advance(1001);
  assert.deepEqual(f.spawned(), ['db@0', 'web@1001']);
  assert.deepEqual((await done).map((o) => [o.name, o.ok]), [['db', true], ['web', true]]);
});

test('start web while db is FATAL starts db again, and web once db is RUNNING', async () => {
  const f = dbAndWeb({ startretries: 0 });
  void startAll(f.sup, [f.db], false);
  failDb(f);
  const at = f.clock.now();
  const done = startAll(f.sup, [f.web], false);
  assert.equal(description(f.web, at), 'waiting for db (STARTING)');
  f.clock.advance(1001);
  f.clock.advance(1001);
  assert.deepEqual(f.spawned(), ['db@0', `db@${at}`, `web@${at + 1001}`]);
  assert.deepEqual((await done).map((o) => [o.name, o.ok]), [['db', true], ['web', true]]);
});

test('db FATAL: web stays STOPPED, held with the reason, and its start is answered EDEPENDENCY; starting db again lets it go', async () => {
  const f = dbAndWeb({ startretries: 0 });
  const done = startAll(f.sup, [f.db, f.web], false);
  failDb(f);
  const outcomes = await done;
  assert.deepEqual(outcomes.map((o) => [o.name, o.ok, o.error?.code, o.error?.message]), [
    ['db', false, 'ESPAWN', 'Exited too quickly (process log may have details) (exit status 1)'],
    ['web', false, 'EDEPENDENCY', 'waiting for db (FATAL)'],
  ]);
  assert.equal(f.web.rec.state.kind, 'STOPPED');
  assert.equal(description(f.web, f.clock.now()), 'waiting for db (FATAL)');
  assert.equal(f.sup.gate.isHeld(f.web), true);

  void startAll(f.sup, [f.db], false);
  assert.equal(description(f.web, f.clock.now()), 'waiting for db (STARTING)');
  const at = f.clock.now();
  f.clock.advance(1001);
  assert.deepEqual(f.spawned().slice(-2), [`db@${at}`, `web@${at + 1001}`]);
});

test('a held start is called off by a stop: web is not spawned when db comes up', async () => {
  const f = dbAndWeb();
  const started = startAll(f.sup, [f.web], false);
  const stopped = await stopAll(f.sup, [f.web], false);
  assert.deepEqual(stopped.map((o) => [o.name, o.ok]), [['web', true]]);
  assert.equal(f.web.waitingFor, null);
  f.clock.advance(5000);
  assert.deepEqual(f.spawned(), ['db@0']);
  assert.deepEqual((await started).map((o) => [o.name, o.ok, o.error?.message]), [
    ['db', true, undefined],
    ['web', false, 'stopped before it was running'],
  ]);
});

test('every instance of what is needed must be RUNNING: web:* waits for the slower db:1', () => {
  const f = fakeSupervisor();
  const dbs = f.sup.addProgram(program('db', { numprocs: 2 }));
  const webs = f.sup.addProgram(program('web', { numprocs: 2, depends_on: ['db'] }));
  void startAll(f.sup, [dbs[0]!], false);
  f.clock.advance(500);
  void startAll(f.sup, webs, false); // brings db:1 along
  assert.equal(f.spawner.spawns.length, 2);
  f.clock.advance(501);
  assert.equal(dbs[0]!.rec.state.kind, 'RUNNING');
  assert.equal(f.spawner.spawns.length, 2, 'db:1 is still STARTING');
  assert.equal(description(webs[0]!, f.clock.now()), 'waiting for db (STARTING)');
  f.clock.advance(500);
  assert.deepEqual(f.spawner.spawns.map((s) => `${s.spec.argv[0]}@${s.at}`), ['/opt/db@0', '/opt/db@500', '/opt/web@1501', '/opt/web@1501']);
});

test('stop: web is STOPPED before db is signalled; a program outside the graph stops beside them by priority', async () => {
  const f = dbAndWeb();
  const [lone] = f.sup.addProgram(program('lone'));
  void startAll(f.sup, [f.web, lone!], false);
  f.clock.advance(2002);
  const pid = (slot: Slot) => (slot.rec.state.kind === 'RUNNING' ? slot.rec.state.pid : assert.fail(`${slot.name} is ${slot.rec.state.kind}`));
  const [dbPid, webPid, lonePid] = [pid(f.db), pid(f.web), pid(lone!)];
  const done = stopAll(f.sup, [f.db, f.web, lone!], false);
  assert.deepEqual([...f.signaller.sent].sort(), [`TERM ${lonePid}`, `TERM ${webPid}`].sort(), 'db waits for web; lone is not held by them');
  f.spawner.exit(webPid, null, 'SIGTERM');
  f.clock.runTurns();
  await flushPromises();
  assert.ok(f.signaller.sent.includes(`TERM ${dbPid}`), 'web is down: db is told');
  f.spawner.exit(dbPid, null, 'SIGTERM');
  f.spawner.exit(lonePid, null, 'SIGTERM');
  f.clock.runTurns();
  assert.deepEqual((await done).map((o) => o.name).sort(), ['db', 'lone', 'web']);
});

test('dependentsLeftUp: the running processes that need what a stop names, unless stopped along', async () => {
  const f = dbAndWeb();
  assert.deepEqual(dependentsLeftUp(f.sup, [f.db]), [], 'web is not up');
  void startAll(f.sup, [f.web], false);
  f.clock.advance(1001);
  assert.deepEqual(dependentsLeftUp(f.sup, [f.db]).map((s) => s.name), ['web'], 'STARTING counts as up');
  assert.deepEqual(dependentsLeftUp(f.sup, [f.db, f.web]), []);
  assert.deepEqual(dependentsLeftUp(f.sup, [f.web]), []);
});

test('500 programs without depends_on are all spawned by the one start call, as before', () => {
  const f = fakeSupervisor();
  const slots = Array.from({ length: 500 }, (_, i) => f.sup.addProgram(program(`p${i}`))[0]!);
  const [db] = f.sup.addProgram(program('db'));
  const [web] = f.sup.addProgram(program('web', { depends_on: ['db'] }));
  void startAll(f.sup, [...slots, db!, web!], false);
  assert.equal(f.spawner.spawns.length, 501, 'all but web, at once');
  assert.equal(f.sup.gate.isHeld(web!), true);
});
