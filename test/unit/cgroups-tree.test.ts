// The cgroup edge against a temp directory laid out like cgroupfs: what it
// makes, writes, kills and removes. The kernel's side (a write to
// cgroup.procs moving a process, rmdir of a populated cgroup refused) is
// the VM test's; here each file written is read back.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type CgroupFs, osCgroupFs } from '../../src/cgroups/cgroup-fs';
import { openDaemonCgroups } from '../../src/cgroups/daemon-cgroups';
import type { Limits } from '../../src/cgroups/limits';
import { CgroupTree } from '../../src/cgroups/tree';

const NONE: Limits = { memory_max: null, memory_high: null, cpu_max: null, pids_max: null, io_weight: null };

// cgroupfs makes a cgroup's interface files with its directory and drops them
// with it: the fake does the same, and refuses rmdir while cgroup.procs lists pids.
const fakeFs: CgroupFs = {
  ...osCgroupFs,
  mkdir(path) {
    if (existsSync(path)) return;
    mkdirSync(path, { recursive: true });
    for (const file of ['cgroup.procs', 'cgroup.subtree_control', 'cgroup.kill', 'cgroup.freeze']) writeFileSync(join(path, file), '');
  },
  rmdir(path) {
    if (!existsSync(path)) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    if (readFileSync(join(path, 'cgroup.procs'), 'utf8').trim() !== '') throw Object.assign(new Error('EBUSY'), { code: 'EBUSY' });
    rmSync(path, { recursive: true });
  },
};

function fakeBase(): string {
  const base = mkdtempSync(join(tmpdir(), 'taskmaster-cgroup-'));
  process.once('exit', () => rmSync(base, { recursive: true, force: true }));
  return base;
}

const read = (path: string): string => readFileSync(path, 'utf8');

test('set-up: the daemon in its leaf, controllers enabled for programs/ and jobs/', () => {
  const base = join(fakeBase(), 'taskmaster');
  new CgroupTree(base, ['memory', 'cpu', 'pids'], fakeFs, () => undefined).setUp(4242, true);
  assert.equal(read(join(base, 'daemon/cgroup.procs')), '4242');
  for (const dir of ['', 'programs', 'jobs']) assert.equal(read(join(base, dir, 'cgroup.subtree_control')), '+memory +cpu +pids', dir);
});

test('prepare: a fresh cgroup per instance with its limits written before any child', () => {
  const tree = new CgroupTree(fakeBase(), ['memory', 'cpu', 'pids', 'io'], fakeFs, () => undefined);
  tree.setUp(1, false);
  const dir = tree.prepare('programs', 'web:0', { ...NONE, memory_max: 512 * 1024 ** 2, cpu_max: 0.5, pids_max: 32, io_weight: 300 });
  assert.equal(dir, join(tree.base, 'programs', 'web:0'));
  assert.deepEqual([read(join(dir, 'memory.max')), read(join(dir, 'cpu.max')), read(join(dir, 'pids.max')), read(join(dir, 'io.weight'))], [
    String(512 * 1024 ** 2),
    '50000 100000',
    '32',
    'default 300',
  ]);
  assert.equal(existsSync(join(dir, 'memory.high')), false, 'a limit not set is not written');
  assert.equal(read(join(tree.prepare('jobs', 'j-1', NONE), 'cgroup.procs')), '');
});

test('a reload changes the live cgroup\'s limits in place', () => {
  const tree = new CgroupTree(fakeBase(), ['memory'], fakeFs, () => undefined);
  tree.setUp(1, false);
  const old = { ...NONE, memory_max: 1024 ** 3 };
  const dir = tree.prepare('programs', 'web:0', old);
  tree.changeLimits(dir, old, { ...NONE, memory_max: 2 * 1024 ** 3 });
  assert.equal(read(join(dir, 'memory.max')), String(2 * 1024 ** 3));
});

test('kill: cgroup.kill where the kernel has it, else freeze, SIGKILL each member, thaw', () => {
  const killed: number[] = [];
  const tree = new CgroupTree(fakeBase(), [], fakeFs, (pid) => killed.push(pid));
  tree.setUp(1, false);
  const dir = tree.prepare('programs', 'web:0', NONE);
  tree.killAll(dir);
  assert.equal(read(join(dir, 'cgroup.kill')), '1');
  rmSync(join(dir, 'cgroup.kill'));
  writeFileSync(join(dir, 'cgroup.procs'), '10\n11\n');
  tree.killAll(dir);
  assert.deepEqual(killed, [10, 11]);
  assert.equal(read(join(dir, 'cgroup.freeze')), '0');
});

test('remove: refused while processes remain, done once empty, gone is fine', () => {
  const tree = new CgroupTree(fakeBase(), [], fakeFs, () => undefined);
  tree.setUp(1, false);
  const dir = tree.prepare('programs', 'web:0', NONE);
  writeFileSync(join(dir, 'cgroup.procs'), '10\n');
  assert.equal(tree.populated(dir), true);
  assert.equal(tree.remove(dir), false);
  writeFileSync(join(dir, 'cgroup.procs'), '');
  assert.equal(tree.populated(dir), false);
  assert.equal(tree.remove(dir), true);
  assert.equal(existsSync(dir), false);
  assert.equal(tree.remove(dir), true);
});

test('stats and the OOM counter are read from the cgroup\'s files', () => {
  const tree = new CgroupTree(fakeBase(), [], fakeFs, () => undefined);
  tree.setUp(1, false);
  const dir = tree.prepare('programs', 'web:0', NONE);
  assert.deepEqual(tree.stats(dir), { memoryBytes: null, memoryPeakBytes: null, cpuUsec: null, pids: null });
  writeFileSync(join(dir, 'memory.current'), '1048576\n');
  writeFileSync(join(dir, 'memory.peak'), '2097152\n');
  writeFileSync(join(dir, 'cpu.stat'), 'usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\n');
  writeFileSync(join(dir, 'pids.current'), '3\n');
  writeFileSync(join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\noom_group_kill 0\n');
  assert.deepEqual(tree.stats(dir), { memoryBytes: 1048576, memoryPeakBytes: 2097152, cpuUsec: 1500000, pids: 3 });
  assert.equal(tree.oomKills(dir), 1);
});

test('leftovers of a SIGKILLed daemon are listed under programs/ and jobs/', () => {
  const tree = new CgroupTree(fakeBase(), [], fakeFs, () => undefined);
  tree.setUp(1, false);
  const web = tree.prepare('programs', 'web:0', NONE);
  const job = tree.prepare('jobs', 'j-7', NONE);
  assert.deepEqual(tree.leftovers().sort(), [job, web].sort());
});

test('a same-named cgroup from the last run: its processes killed frozen (never cgroup.kill), made anew when empty', () => {
  const killed: number[] = [];
  const tree = new CgroupTree(fakeBase(), [], fakeFs, (pid) => killed.push(pid));
  tree.setUp(1, false);
  const web = tree.prepare('programs', 'web:0', NONE);
  writeFileSync(join(web, 'cgroup.procs'), '10\n');
  writeFileSync(join(web, 'memory.max'), 'left from the last run');
  tree.prepare('programs', 'web:0', NONE);
  assert.deepEqual(killed, [10]);
  assert.equal(read(join(web, 'cgroup.kill')), '', 'a killed cgroup would kill the next child cloned into it');
  assert.equal(read(join(web, 'cgroup.freeze')), '0');
  writeFileSync(join(web, 'cgroup.procs'), '');
  tree.prepare('programs', 'web:0', NONE);
  assert.equal(existsSync(join(web, 'memory.max')), false, 'removed and made anew');
  tree.killAll(web, true);
  assert.equal(read(join(web, 'cgroup.kill')), '');
});

test('a layout the kernel refuses leaves the fallback, with the refusal as the reason', () => {
  const base = join(fakeBase(), 'missing-parent', 'x');
  const refusing: CgroupFs = { ...fakeFs, write: () => { throw Object.assign(new Error('EBUSY: device or resource busy'), { code: 'EBUSY' }); } };
  const opened = openDaemonCgroups(() => null, refusing, { ok: true, base, makeBase: true, controllers: ['memory'] });
  assert.equal(opened.tree, null);
  assert.match(opened.support.ok ? '' : opened.support.reason, /cannot set up the cgroup layout under .*EBUSY/);
  const noAddon = openDaemonCgroups(() => 'TASKMASTER_SPAWN=node', fakeFs, { ok: true, base, makeBase: true, controllers: ['memory'] });
  assert.match(noAddon.support.ok ? '' : noAddon.support.reason, /spawn addon is not in use \(TASKMASTER_SPAWN=node\)/);
});
