// The supervisor with thousands of processes: the work of adding them, of
// naming one, and of a reload that changes one is counted (priority reads,
// list() calls, spawns and signals), never timed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProgramConfig } from '../../src/config/types';
import type { DaemonControl } from '../../src/server/control';
import { namesGroups, select } from '../../src/server/selection';
import { applyPrograms } from '../../src/supervisor/reload';
import type { Supervisor } from '../../src/supervisor/supervisor';
import { FdShortage, openFilesLimit } from '../../src/supervisor/fd-shortage';
import { fakeSupervisor, flushPromises, program } from './supervisor-fakes';

const N = 2000;

/** A program whose priority counts its reads: what sorting the slots costs. */
function countedProgram(name: string, priority: number, reads: { n: number }): ProgramConfig {
  const p = program(name, { priority });
  Object.defineProperty(p, 'priority', {
    get: () => {
      reads.n += 1;
      return priority;
    },
  });
  return p;
}

test(`adding ${N} programs one by one sorts the slots once, when they are next listed, not after each`, () => {
  const { sup } = fakeSupervisor();
  const reads = { n: 0 };
  for (let i = 0; i < N; i++) sup.addProgram(countedProgram(`p${i}`, i % 7, reads));
  assert.equal(reads.n, 0, 'nothing sorted while they are added');
  const names = sup.list().map((s) => s.name);
  // One sort: about 2·N·log2(N) reads (44,000 here); a sort per added program made ~50 million.
  assert.ok(reads.n < 4 * N * Math.log2(N), `priority read ${reads.n} times`);
  const before = reads.n;
  sup.list();
  assert.equal(reads.n, before, 'listed again with no change: no new sort');
  // Priority first, then config order.
  const expected = Array.from({ length: N }, (_, i) => i).sort((a, b) => (a % 7) - (b % 7) || a - b).map((i) => `p${i}`);
  assert.deepEqual(names, expected);
});

test('list() follows a priority changed by a reload and a slot removed, in priority then config order', () => {
  const { sup } = fakeSupervisor();
  for (const [name, priority] of [['a', 5], ['b', 1], ['c', 5]] as const) sup.addProgram(program(name, { priority }));
  assert.deepEqual(sup.list().map((s) => s.name), ['b', 'a', 'c']);
  const a = sup.get('a')!;
  const moved = program('a', { priority: 0 });
  sup.updateProgram(a, moved, a.policy);
  assert.deepEqual(sup.list().map((s) => s.name), ['a', 'b', 'c']);
  sup.removeSlot(sup.get('b')!);
  sup.addProgram(program('d', { priority: 5 }));
  assert.deepEqual(sup.list().map((s) => s.name), ['a', 'c', 'd']);
  const listed = sup.list();
  listed.reverse();
  assert.deepEqual(sup.list().map((s) => s.name), ['a', 'c', 'd'], "a caller's copy is its own");
});

/** A DaemonControl that has only the supervisor, counting its list() calls. */
function controlOf(sup: Supervisor): { ctl: DaemonControl; lists: () => number } {
  let lists = 0;
  const counted = new Proxy(sup, {
    get(target, key) {
      if (key === 'list') lists += 1;
      const value = Reflect.get(target, key) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { ctl: { supervisor: counted } as unknown as DaemonControl, lists: () => lists };
}

test('one process named exactly is looked up, not matched against all of them; patterns still match every process', () => {
  const { sup } = fakeSupervisor();
  for (let i = 0; i < N; i++) sup.addProgram(program(`p${i}`));
  sup.addProgram(program('web', { numprocs: 3 }));
  const { ctl, lists } = controlOf(sup);

  assert.deepEqual(select(ctl, ['p1234']).map((s) => s.name), ['p1234']);
  assert.deepEqual(select(ctl, ['web:2']).map((s) => s.name), ['web:2']);
  assert.equal(namesGroups(ctl, ['p1234']), false, 'a lone process is not a group');
  assert.equal(lists(), 0, 'no process list built for one name');

  assert.deepEqual(select(ctl, ['web']).map((s) => s.name), ['web:0', 'web:1', 'web:2'], 'a program of several: all its instances');
  assert.deepEqual(select(ctl, ['web:*']).map((s) => s.name), ['web:0', 'web:1', 'web:2']);
  assert.equal(namesGroups(ctl, ['web']), true);
  assert.equal(select(ctl, ['all']).length, N + 3);
  assert.throws(() => select(ctl, ['nope']), { code: 'ENOPROGRAM' });
});

test(`a reload that changes one program among ${N} stops and starts only it; the others keep their pids and get no signal`, async () => {
  const { sup, spawner, signaller, clock } = fakeSupervisor();
  const old = Array.from({ length: N }, (_, i) => program(`p${i}`));
  await applyPrograms(sup, [], old);
  clock.advance(1001); // past starttime: all RUNNING
  assert.equal(spawner.spawns.length, N);
  assert.ok(sup.list().every((s) => s.rec.state.kind === 'RUNNING'));
  const pids = new Map(sup.list().map((s) => [s.name, s.child?.pid]));

  const next = old.map((p) => (p.name === 'p7' ? { ...p, argv: ['/opt/p7', '--new'] } : p));
  const reloaded = applyPrograms(sup, old, next);
  const oldPid = pids.get('p7')!;
  assert.deepEqual(signaller.sent, [`TERM ${oldPid}`], 'one SIGTERM, to the changed program');
  spawner.exit(oldPid, null, 'SIGTERM');
  clock.runTurns();
  await flushPromises();
  const answer = await reloaded;
  assert.deepEqual(answer.restarted, ['p7']);
  assert.equal(answer.unchanged.length, N - 1);
  assert.equal(spawner.spawns.length, N + 1, 'one new spawn');
  assert.deepEqual(spawner.spawns.at(-1)!.spec.argv, ['/opt/p7', '--new']);
  const moved = sup.list().filter((s) => s.child?.pid !== pids.get(s.name)).map((s) => s.name);
  assert.deepEqual(moved, ['p7']);
});

test('out of descriptors: one line names the limit to raise, in place of a line per failed spawn; the end of the shortage is said once', async () => {
  const { sup, spawner, logged } = fakeSupervisor();
  spawner.failWith = 'spawn /opt/p: pipe: Too many open files';
  spawner.failCode = 'EMFILE';
  const slots = Array.from({ length: 50 }, (_, i) => sup.addProgram(program(`p${i}`))[0]!);
  for (const slot of slots) sup.command(slot, { type: 'start' });
  const problems = logged.filter((e) => e.level === 'error' || e.level === 'warn' || e.level === 'fatal');
  assert.equal(problems.length, 1, problems.map((e) => e.msg).join('\n'));
  assert.match(problems[0]!.msg, /^cannot start p0: out of file descriptors \(EMFILE\): .*LimitNOFILE=.*ulimit -Hn/);
  assert.ok(slots.every((s) => s.rec.state.kind === 'BACKOFF' && s.rec.spawnError === spawner.failWith), "each process's own reason stays in its status");

  spawner.failWith = null;
  sup.addProgram(program('late'));
  sup.command(sup.get('late')!, { type: 'start' });
  const after = logged.filter((e) => e.level === 'warn');
  assert.deepEqual(after.map((e) => e.msg), ['spawning works again; 50 spawns or log openings failed for want of file descriptors']);
});

test('a spawn that fails for another reason is logged as before, one line each', () => {
  const { sup, spawner, logged } = fakeSupervisor();
  spawner.failWith = '/opt/x: no such file';
  for (let i = 0; i < 3; i++) sup.command(sup.addProgram(program(`x${i}`))[0]!, { type: 'start' });
  assert.deepEqual(
    logged.filter((e) => e.level === 'error').map((e) => e.msg),
    ['spawn error: x0: /opt/x: no such file', 'spawn error: x1: /opt/x: no such file', 'spawn error: x2: /opt/x: no such file'],
  );
});

test("the shortage's line says how many programs the limit has room for; ENFILE names the system's table", () => {
  const lines: string[] = [];
  const log = { debug: () => {}, info: () => {}, warn: () => {}, fatal: () => {}, error: (_o: object, m: string) => void lines.push(m) };
  const emfile = new FdShortage(log, () => 20000);
  assert.equal(emfile.failed('web', 'cannot start web', 'ENOENT'), false, 'not a shortage: the caller logs it');
  assert.equal(emfile.failed('web', 'cannot start web', 'EMFILE'), true);
  assert.match(lines[0]!, /may hold 20000 open files \(room for about 4000 programs\) and each running program holds 5 /);
  const enfile = new FdShortage(log, () => 20000);
  enfile.failed('web', 'cannot open the stdout log of web', 'ENFILE');
  assert.match(lines[1]!, /^cannot open the stdout log of web: out of file descriptors \(ENFILE\): the system's table of open files is full; raise fs\.file-max/);
});

test('the limit of open files is read from /proc/self/limits', () => {
  const text = 'Limit                     Soft Limit           Hard Limit           Units\nMax open files            20000                20000                files\n';
  assert.equal(openFilesLimit(() => text), 20000);
  assert.equal(openFilesLimit(() => text.replace(/20000 {16}20000/, 'unlimited            unlimited')), null);
  assert.equal(openFilesLimit(() => { throw new Error('ENOENT'); }), null);
  assert.equal(typeof openFilesLimit(), 'number', 'this Linux has the file');
});
