// depends_on with the real daemon and real processes: web is spawned only
// after db is RUNNING (at daemon start and on `start web`), `stop db` is
// refused while web runs unless --with-dependents, shutdown stops web first,
// and a cycle is refused at start and at reload.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { alive, type Daemon, TASKMASTERD, waitFor } from './harness';
import { locatedIn, pidsOf } from './control-helpers';
import { logIndex, program, raw, waitLog, waitState, withDaemon } from './lifecycle-helpers';

// db takes a moment to be RUNNING (its starttime): long enough that a web
// started on db's spawn rather than on its RUNNING would show.
const DB_STARTTIME = 2;
const DB_WEB = (extra: Record<string, boolean> = {}) =>
  program('web', { depends_on: raw('[db]'), ...extra }) + program('db', { starttime: DB_STARTTIME, ...extra });

/** Asserts that `first` is in the daemon log, before `then`. */
function logOrder(d: Daemon, first: string, then: string): void {
  const a = logIndex(d, first);
  const b = logIndex(d, then);
  assert.ok(a >= 0 && b >= 0 && a < b, `expected "${first}" before "${then}" in the daemon log:\n${d.output()}`);
}

test('at daemon start web waits, STOPPED with the reason, and is spawned after db is RUNNING', () =>
  withDaemon(DB_WEB(), async (d) => {
    // One status answer in which db is STARTING: web in the same answer must be held.
    const seen = await waitFor(async () => {
      const rows = await d.status();
      return rows.find((r) => r.name === 'db')?.state === 'STARTING' ? rows : null;
    }, 'db to be STARTING');
    const web = seen!.find((r) => r.name === 'web')!;
    assert.equal(web.state, 'STOPPED');
    assert.equal(web.description, 'waiting for db (STARTING)');
    await waitState(d, 'web', 'RUNNING');
    logOrder(d, 'db: STARTING → RUNNING', 'spawned: web');
  }));

test('start web with both stopped starts db first, then web, and answers for both', () =>
  withDaemon(DB_WEB({ autostart: false }), async (d) => {
    const r = await d.ctlAsync('start', 'web');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n').sort(), ['db: started', 'web: started']);
    logOrder(d, 'db: STARTING → RUNNING', 'spawned: web');
    assert.equal((await waitState(d, 'db', 'RUNNING')).state, 'RUNNING');
  }));

test('stop db is refused while web runs (EDEPENDENTS, nothing stopped); --with-dependents stops web, then db', () =>
  withDaemon(DB_WEB(), async (d) => {
    await waitState(d, 'web', 'RUNNING');
    const before = await pidsOf(d);
    const refused = await d.ctlAsync('stop', 'db');
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(refused.stderr, /running programs depend on what this would stop: web; stop them first, or stop --with-dependents/);
    assert.deepEqual(await pidsOf(d), before);
    const json = JSON.parse((await d.ctlAsync('--json', 'stop', 'db')).stdout) as { error: { code: string } };
    assert.equal(json.error.code, 'EDEPENDENTS');

    const r = await d.ctlAsync('stop', '--with-dependents', 'db');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n').sort(), ['db: stopped', 'web: stopped']);
    logOrder(d, 'web: STOPPING → STOPPED', 'sent SIGTERM to db');
    assert.equal(alive(before.db!), false);
  }));

test('daemon shutdown stops web before db is signalled', () =>
  withDaemon(DB_WEB(), async (d) => {
    await waitState(d, 'web', 'RUNNING');
    d.proc.kill('SIGTERM');
    assert.deepEqual(await d.exited, { code: 0, signal: null }, d.output());
    await waitLog(d, 'all programs stopped; exiting');
    logOrder(d, 'web: STOPPING → STOPPED', 'sent SIGTERM to db');
  }));

test('a cycle is refused at start: exit 1, the cycle named at file:line:col, nothing started', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tm-deps-'));
  try {
    const file = join(dir, 'taskmaster.yaml');
    const body = program('a', { depends_on: raw('[b]') }) + program('b', { depends_on: raw('[a]') });
    writeFileSync(file, `taskmasterd:\n  socket: ${join(dir, 'tm.sock')}\n  childlogdir: ${dir}\nprograms:\n${body}`);
    const r = spawnSync(TASKMASTERD, ['-c', file], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, locatedIn(file));
    assert.match(r.stderr, /program "a", key "depends_on\[0\]": depends_on forms a cycle: a → b → a/);
    assert.match(r.stderr, /nothing started/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a reload that brings a cycle is refused and changes nothing; the running programs keep their pids', () =>
  withDaemon(DB_WEB(), async (d) => {
    await waitState(d, 'web', 'RUNNING');
    const before = await pidsOf(d);
    d.writeConfig(program('web', { depends_on: raw('[db]') }) + program('db', { starttime: DB_STARTTIME, depends_on: raw('[web]') }));
    const r = await d.ctlAsync('reload');
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /program "web", key "depends_on\[0\]": depends_on forms a cycle: web → db → web/);
    assert.match(r.stderr, /nothing changed/);
    assert.deepEqual(await pidsOf(d), before);
    for (const pid of Object.values(before)) assert.ok(alive(pid!));
  }));

test('start does not wait for a program that nothing depends on, and unrelated programs start together', () =>
  withDaemon(DB_WEB() + program('lone', {}), async (d) => {
    const lone = await waitState(d, 'lone', 'RUNNING');
    assert.ok(lone.pid !== null);
    await waitState(d, 'web', 'RUNNING');
    logOrder(d, 'spawned: lone', 'db: STARTING → RUNNING');
  }));
