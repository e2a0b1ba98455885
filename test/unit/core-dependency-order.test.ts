// The pure dependency decisions: what a start brings along, when a held
// program may start and why not, what must be down before a stop, and what
// a stop would leave without what it needs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  dependencyGraph,
  dependentsOf,
  inGraph,
  type InstanceView,
  readinessOf,
  readyToStop,
  startVerdict,
  stopBlockers,
  upDependents,
  withNeeds,
} from '../../src/core/dependency-order';

// web → api → db, web → cache, worker → db; lone has none.
const G = dependencyGraph([
  { name: 'web', depends_on: ['api', 'cache'] },
  { name: 'api', depends_on: ['db'] },
  { name: 'db', depends_on: [] },
  { name: 'cache', depends_on: [] },
  { name: 'worker', depends_on: ['db'] },
  { name: 'lone', depends_on: [] },
]);

const up = (state: InstanceView['state'], extra: Partial<InstanceView> = {}): InstanceView => ({ state, want: 'up', restartDue: false, held: null, ...extra });
const down = (state: InstanceView['state'], extra: Partial<InstanceView> = {}): InstanceView => ({ state, want: 'down', restartDue: false, held: null, ...extra });

test('graph: needs and neededBy; a program outside every relation is not in it', () => {
  assert.deepEqual(G.needs.get('web'), ['api', 'cache']);
  assert.deepEqual(G.neededBy.get('db'), ['api', 'worker']);
  assert.equal(inGraph(G, 'db'), true, 'needed only');
  assert.equal(inGraph(G, 'web'), true, 'needing only');
  assert.equal(inGraph(G, 'lone'), false);
});

test('withNeeds: each program after everything it needs, transitively, each once', () => {
  assert.deepEqual(withNeeds(G, ['web']), ['db', 'api', 'cache', 'web']);
  assert.deepEqual(withNeeds(G, ['worker', 'web', 'db']), ['db', 'worker', 'api', 'cache', 'web']);
  assert.deepEqual(withNeeds(G, ['lone']), ['lone']);
});

test('withNeeds and dependentsOf end on a cycle (the config refuses them; these must not hang)', () => {
  const loop = dependencyGraph([
    { name: 'a', depends_on: ['b'] },
    { name: 'b', depends_on: ['a'] },
  ]);
  assert.deepEqual(withNeeds(loop, ['a']), ['b', 'a']);
  assert.deepEqual(dependentsOf(loop, ['a']), ['b']);
});

test('dependentsOf: transitively, without the programs asked about', () => {
  assert.deepEqual(dependentsOf(G, ['db']), ['api', 'worker', 'web']);
  assert.deepEqual(dependentsOf(G, ['cache']), ['web']);
  assert.deepEqual(dependentsOf(G, ['web', 'lone']), []);
});

test('readinessOf: ready only when every instance is RUNNING', () => {
  assert.deepEqual(readinessOf([up('RUNNING'), up('RUNNING')]), { kind: 'ready' });
  assert.deepEqual(readinessOf([up('RUNNING'), up('STARTING')]), { kind: 'coming', shown: 'STARTING' });
});

test('readinessOf: coming while an instance is on its way up', () => {
  assert.deepEqual(readinessOf([up('BACKOFF')]), { kind: 'coming', shown: 'BACKOFF' });
  assert.deepEqual(readinessOf([up('STOPPING')]), { kind: 'coming', shown: 'STOPPING' }, 'a restart');
  assert.deepEqual(readinessOf([up('EXITED', { restartDue: true })]), { kind: 'coming', shown: 'EXITED' });
  assert.deepEqual(readinessOf([down('STOPPED', { held: 'waiting' })]), { kind: 'coming', shown: 'itself waiting' });
});

test('readinessOf: failed when an instance is FATAL or nothing is on its way', () => {
  assert.deepEqual(readinessOf([up('STARTING'), up('FATAL')]), { kind: 'failed', shown: 'FATAL' }, 'FATAL wins over one still starting');
  assert.deepEqual(readinessOf([down('STOPPED')]), { kind: 'failed', shown: 'STOPPED' });
  assert.deepEqual(readinessOf([down('STOPPING')]), { kind: 'failed', shown: 'STOPPING' });
  assert.deepEqual(readinessOf([up('EXITED')]), { kind: 'failed', shown: 'EXITED' });
  assert.deepEqual(readinessOf([down('STOPPED', { held: 'blocked' })]), { kind: 'failed', shown: 'itself waiting' });
  assert.deepEqual(readinessOf([]), { kind: 'failed', shown: 'not configured' });
});

test('startVerdict: go when all are ready; else the reason names each one not ready, blocked if one failed', () => {
  assert.deepEqual(startVerdict([{ name: 'db', readiness: { kind: 'ready' } }]), { go: true });
  assert.deepEqual(startVerdict([]), { go: true });
  assert.deepEqual(
    startVerdict([
      { name: 'db', readiness: { kind: 'coming', shown: 'STARTING' } },
      { name: 'cache', readiness: { kind: 'ready' } },
    ]),
    { go: false, blocked: false, reason: 'waiting for db (STARTING)' },
  );
  assert.deepEqual(
    startVerdict([
      { name: 'db', readiness: { kind: 'failed', shown: 'FATAL' } },
      { name: 'cache', readiness: { kind: 'coming', shown: 'BACKOFF' } },
    ]),
    { go: false, blocked: true, reason: 'waiting for db (FATAL), cache (BACKOFF)' },
  );
});

test('stop order: a program waits for its dependents being stopped, also through one that is not', () => {
  const blockers = stopBlockers(G, ['db', 'web', 'cache', 'lone']);
  assert.deepEqual(Object.fromEntries(blockers), { db: ['web'], web: [], cache: ['web'], lone: [] }, 'web needs db through api');
  const all = new Set(['db', 'web', 'cache', 'lone']);
  assert.deepEqual(readyToStop(blockers, all, all), ['web', 'lone']);
  assert.deepEqual(readyToStop(blockers, ['db', 'cache'], new Set(['db', 'cache'])), ['db', 'cache'], 'web is down');
});

test('upDependents: the running programs, outside the stop, that need what it stops', () => {
  const running = new Set(['web', 'api', 'worker']);
  const isUp = (p: string) => running.has(p);
  assert.deepEqual(upDependents(G, ['db'], isUp), ['api', 'worker', 'web']);
  assert.deepEqual(upDependents(G, ['db', 'api', 'worker', 'web'], isUp), [], 'stopped along');
  running.delete('worker');
  assert.deepEqual(upDependents(G, ['db', 'api', 'web'], isUp), []);
  assert.deepEqual(upDependents(G, ['lone'], isUp), []);
});
