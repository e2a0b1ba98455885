// The event bus, and what the supervisor publishes on it: one event per
// transition, an exit event before the transitions it caused, nothing built
// while nobody listens.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus } from '../../src/events/bus';
import { describeEvent, type TaskmasterEvent } from '../../src/events/event';
import { FakeClock, fakeSupervisor, program } from './supervisor-fakes';

const reload: TaskmasterEvent = { type: 'reload', time: 't', added: ['a'], removed: [], restarted: [], updated: ['b'] };

test('an event is made only when someone listens, and reaches every listener until it unsubscribes', () => {
  const bus = new EventBus();
  let made = 0;
  const make = (): TaskmasterEvent => (made++, reload);
  bus.publish(make);
  assert.equal(made, 0, 'nobody listens: nothing is built');
  const got: string[] = [];
  const stopA = bus.subscribe((e) => got.push(`a ${e.type}`));
  bus.subscribe((e) => got.push(`b ${e.type}`));
  bus.publish(make);
  stopA();
  bus.publish(make);
  assert.equal(made, 2);
  assert.deepEqual(got, ['a reload', 'b reload', 'b reload']);
});

test('a listener that throws is reported, and the others still get the event', () => {
  const failures: string[] = [];
  const bus = new EventBus((err, e) => failures.push(`${e.type}: ${err.message}`));
  const got: string[] = [];
  bus.subscribe(() => {
    throw new Error('boom');
  });
  bus.subscribe((e) => got.push(e.type));
  bus.publish(() => reload);
  assert.deepEqual([failures, got], [['reload: boom'], ['reload']]);
});

test('the supervisor publishes each transition, and an exit before the transitions it caused', () => {
  const { sup, clock, spawner } = fakeSupervisor();
  const seen: TaskmasterEvent[] = [];
  sup.events.subscribe((e) => seen.push(e));
  const [job] = sup.addProgram(program('job', { starttime: 1 }));
  sup.command(job!, { type: 'start' });
  clock.advance(1001);
  spawner.exit(1000, 3);
  clock.runTurns();
  const at = (ms: number): string => new Date(FakeClock.WALL_START + ms).toISOString();
  const base = { program: 'job', process: 'job' };
  const exit = { code: 3, signal: null, expected: false };
  assert.deepEqual(seen, [
    { type: 'state', time: at(0), ...base, from: 'STOPPED', to: 'STARTING', reason: 'start requested', pid: null, exit: null },
    { type: 'state', time: at(1001), ...base, from: 'STARTING', to: 'RUNNING', reason: 'stayed up for 1s (starttime)', pid: 1000, exit: null },
    { type: 'exit', time: at(1001), ...base, pid: 1000, ...exit },
    { type: 'state', time: at(1001), ...base, from: 'RUNNING', to: 'EXITED', reason: 'exit status 3; not expected', pid: 1000, exit },
    // autorestart unexpected, no restartdelay: spawned again in the same decision, its pid not known yet.
    { type: 'state', time: at(1001), ...base, from: 'EXITED', to: 'STARTING', reason: 'autorestart unexpected', pid: null, exit: null },
  ]);
  assert.deepEqual(seen.map(describeEvent).slice(2, 4), [
    'job: exited, exit status 3 (not expected) pid 1000',
    'job: RUNNING → EXITED (exit status 3; not expected) pid 1000',
  ]);
});

test('a stop publishes STOPPING with the pid, then the exit and STOPPED; FATAL follows the last failed start', () => {
  const { sup, clock, spawner } = fakeSupervisor();
  const seen: string[] = [];
  sup.events.subscribe((e) => seen.push(e.type === 'state' ? `${e.from}→${e.to} ${e.pid}` : e.type === 'exit' ? `exit ${e.pid} ${e.signal}` : e.type));
  const [srv, bad] = sup.addProgram(program('srv')).concat(sup.addProgram(program('bad', { startretries: 0 })));
  sup.command(srv!, { type: 'start' });
  clock.advance(1001);
  sup.command(srv!, { type: 'stop' });
  spawner.exit(1000, null, 'SIGTERM');
  clock.runTurns();
  sup.command(bad!, { type: 'start' });
  spawner.exit(1001, 1);
  clock.runTurns();
  assert.deepEqual(seen, [
    'STOPPED→STARTING null',
    'STARTING→RUNNING 1000',
    'RUNNING→STOPPING 1000',
    'exit 1000 SIGTERM',
    'STOPPING→STOPPED 1000',
    'STOPPED→STARTING null',
    'exit 1001 null',
    'STARTING→BACKOFF 1001',
    'BACKOFF→FATAL 1001',
  ]);
});

test('describeEvent: a reload names what changed, or that nothing did', () => {
  assert.equal(describeEvent(reload), 'reload: added [a] updated [b]');
  assert.equal(describeEvent({ ...reload, added: [], updated: [] }), 'reload: nothing changed');
});
