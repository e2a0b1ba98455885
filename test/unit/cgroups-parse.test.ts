// The pure parts of the cgroup support: the kernel's texts, the limit values
// and the files they become, the OOM decision, and the detection verdict for
// hosts this test does not run on (pure v2 under systemd, hybrid, v1 only,
// a shared cgroup).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideSupport, describeSupport, limitRefusalOf, type HostTexts } from '../../src/cgroups/detect';
import { changedLimitFiles, cpuMaxValue, type Limits, limitFiles, oomVerdict, showBytes } from '../../src/cgroups/limits';
import { parseCgroupMounts, parseControllers, parseKeyed, parsePids, parseProcCgroup, v2PathOf } from '../../src/cgroups/proc-files';
import { parseByteLimit, parseCpuLimit, showCpu } from '../../src/config/limit-readers';
import { cpuPercentSince } from '../../src/daemon/cgroup-cpu';

const NONE: Limits = { memory_max: null, memory_high: null, cpu_max: null, pids_max: null, io_weight: null };

const HYBRID_MOUNTINFO = [
  '30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
  '34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids',
  '39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd',
  '40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
].join('\n');
const PURE_V2_MOUNTINFO = '26 21 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot';
const SERVICE = '/system.slice/taskmaster.service';

function host(mountinfo: string, procSelfCgroup: string, files: Record<string, string>): HostTexts {
  return { mountinfo, procSelfCgroup, pid: 100, read: (path) => files[path] ?? null };
}

test('/proc/self/cgroup: the v2 line is "0::", paths may hold colons', () => {
  const lines = parseProcCgroup('4:memory:/process_api/x\n1:cpu,cpuacct:/\n0::/programs/web:0\n');
  assert.deepEqual(lines[1], { hierarchy: 1, controllers: ['cpu', 'cpuacct'], path: '/' });
  assert.equal(v2PathOf(lines), '/programs/web:0');
  assert.equal(v2PathOf(parseProcCgroup('4:memory:/\n')), null);
});

test('mountinfo: cgroup2 and the controllers bound to each v1 hierarchy; escaped paths', () => {
  const mounts = parseCgroupMounts(HYBRID_MOUNTINFO);
  assert.deepEqual(mounts.map((m) => [m.version, m.mountPoint, m.controllers]), [
    [1, '/sys/fs/cgroup/cpu', ['cpu']],
    [1, '/sys/fs/cgroup/memory', ['memory']],
    [1, '/sys/fs/cgroup/pids', ['pids']],
    [1, '/sys/fs/cgroup/systemd', []],
    [2, '/sys/fs/cgroup/unified', []],
  ]);
  assert.equal(parseCgroupMounts('1 2 0:9 / /mnt/cg\\040two rw - cgroup2 none rw')[0]!.mountPoint, '/mnt/cg two');
});

test('controllers, keyed files and pid lists', () => {
  assert.deepEqual(parseControllers('cpuset cpu io memory pids\n'), ['cpuset', 'cpu', 'io', 'memory', 'pids']);
  assert.deepEqual(parseControllers('\n'), []);
  const stat = parseKeyed('usage_usec 1234\nuser_usec 1000\nsystem_usec 234\n');
  assert.equal(stat.get('usage_usec'), 1234);
  assert.deepEqual(parsePids('12\n345\n'), [12, 345]);
});

test('sizes: K/M/G/T are 1024-based, max is no limit, 0 and junk are refused', () => {
  assert.equal(parseByteLimit('512M'), 512 * 1024 ** 2);
  assert.equal(parseByteLimit('1g'), 1024 ** 3);
  assert.equal(parseByteLimit('64KB'), 64 * 1024);
  assert.equal(parseByteLimit(65536), 65536);
  assert.equal(parseByteLimit('max'), 'max');
  for (const bad of ['0', 0, '-1M', '1.5G', 'lots', '']) assert.equal(parseByteLimit(bad), null, String(bad));
  assert.deepEqual([showBytes(512 * 1024 ** 2), showBytes(1024 ** 3), showBytes(1000), showBytes('max')], ['512M', '1G', '1000', 'max']);
});

test('cpu: 50% is half a CPU, 1.5 is one and a half; cpu.max is "quota period"', () => {
  assert.deepEqual([parseCpuLimit('50%'), parseCpuLimit(1.5), parseCpuLimit('2'), parseCpuLimit('max')], [0.5, 1.5, 2, 'max']);
  for (const bad of ['0%', 0, '-1', 'half', '50 %%']) assert.equal(parseCpuLimit(bad), null, String(bad));
  assert.deepEqual([cpuMaxValue(0.5), cpuMaxValue(1.5), cpuMaxValue(0.2), cpuMaxValue('max')], ['50000 100000', '150000 100000', '20000 100000', 'max 100000']);
  assert.equal(cpuMaxValue(0.001), '1000 100000', 'the kernel refuses a quota under 1 ms');
  assert.deepEqual([showCpu(0.5), showCpu(1.5), showCpu('max'), showCpu(null)], ['50%', '150%', 'max', null]);
});

test('the files of the limits set, and only those', () => {
  assert.deepEqual(limitFiles(NONE), []);
  assert.deepEqual(limitFiles({ memory_max: 1024, memory_high: 512, cpu_max: 0.5, pids_max: 64, io_weight: 200 }), [
    ['memory.high', '512'],
    ['memory.max', '1024'],
    ['cpu.max', '50000 100000'],
    ['pids.max', '64'],
    ['io.weight', 'default 200'],
  ]);
});

test('a reload writes the changed limits; one no longer set goes back to the kernel default', () => {
  const old: Limits = { ...NONE, memory_max: 1024, pids_max: 10, io_weight: 50 };
  const next: Limits = { ...NONE, memory_max: 2048, pids_max: 10 };
  assert.deepEqual(changedLimitFiles(old, next), [['memory.max', '2048'], ['io.weight', 'default 100']]);
  assert.deepEqual(changedLimitFiles(old, old), []);
});

test('OOM: only a rise of oom_kill over the run, with the limit named', () => {
  assert.equal(oomVerdict(0, 0, 512 * 1024 ** 2), null);
  assert.equal(oomVerdict(2, 2, 512 * 1024 ** 2), null);
  assert.equal(oomVerdict(0, 1, 512 * 1024 ** 2), 'killed by the OOM killer (memory_max 512M)');
  assert.equal(oomVerdict(0, 1, null), 'killed by the OOM killer (no memory_max)');
});

test('detection: a pure v2 host under systemd with the service delegated', () => {
  const dir = `/sys/fs/cgroup${SERVICE}`;
  const verdict = decideSupport(host(PURE_V2_MOUNTINFO, `0::${SERVICE}\n`, {
    [`${dir}/cgroup.controllers`]: 'cpuset cpu io memory hugetlb pids rdma misc\n',
    [`${dir}/cgroup.procs`]: '100\n',
  }));
  assert.deepEqual(verdict, { ok: true, base: dir, makeBase: false, controllers: ['memory', 'cpu', 'pids', 'io'] });
  assert.match(describeSupport(verdict), /limits available/);
  assert.equal(limitRefusalOf(verdict)('memory_max'), null);
});

test('detection: a hybrid host (this one) names the controllers bound to v1', () => {
  const verdict = decideSupport(host(HYBRID_MOUNTINFO, '4:memory:/\n0::/\n', { '/sys/fs/cgroup/unified/cgroup.controllers': 'hugetlb\n' }));
  assert.deepEqual(verdict, { ok: false, reason: 'cgroup v2 controllers memory, cpu, pids are bound to cgroup v1 on this host (hybrid hierarchy)' });
  assert.equal(limitRefusalOf(verdict)('cpu_max'), verdict.ok ? null : verdict.reason);
});

test('detection: v1 only, no v2 line, controllers not delegated, a shared cgroup', () => {
  const v1Only = HYBRID_MOUNTINFO.split('\n').slice(0, -1).join('\n');
  assert.match(reasonOf(decideSupport(host(v1Only, '0::/\n', {}))), /no cgroup v2 hierarchy is mounted/);
  assert.match(reasonOf(decideSupport(host(PURE_V2_MOUNTINFO, '1:name=systemd:/\n', {}))), /no "0::" line/);
  const dir = `/sys/fs/cgroup${SERVICE}`;
  const undelegated = decideSupport(host(PURE_V2_MOUNTINFO, `0::${SERVICE}\n`, { [`${dir}/cgroup.controllers`]: 'memory\n' }));
  assert.match(reasonOf(undelegated), /controllers cpu, pids are not available .*no delegation/);
  const shared = decideSupport(host(PURE_V2_MOUNTINFO, '0::/user.slice/session-1.scope\n', {
    '/sys/fs/cgroup/user.slice/session-1.scope/cgroup.controllers': 'cpu memory pids\n',
    '/sys/fs/cgroup/user.slice/session-1.scope/cgroup.procs': '7\n100\n8\n',
  }));
  assert.match(reasonOf(shared), /holds other processes \(7, 8\).*Delegate=yes/);
});

test('detection: in the root cgroup the daemon makes its own taskmaster cgroup', () => {
  const verdict = decideSupport(host(PURE_V2_MOUNTINFO, '0::/\n', { '/sys/fs/cgroup/cgroup.controllers': 'cpu memory pids\n' }));
  assert.deepEqual(verdict, { ok: true, base: '/sys/fs/cgroup/taskmaster', makeBase: true, controllers: ['memory', 'cpu', 'pids'] });
  assert.match(limitRefusalOf(verdict)('io_weight') ?? '', /controller io is not available/);
});

function reasonOf(verdict: ReturnType<typeof decideSupport>): string {
  assert.equal(verdict.ok, false);
  return verdict.ok ? '' : verdict.reason;
}

test('CPU percent from two usage_usec readings: 100 is one CPU busy over the span', () => {
  assert.equal(cpuPercentSince({ usec: 0, atMs: 0 }, { usec: 500_000, atMs: 1000 }), 50);
  assert.equal(cpuPercentSince({ usec: 1_000_000, atMs: 1000 }, { usec: 4_000_000, atMs: 3000 }), 150);
  assert.equal(cpuPercentSince({ usec: 5, atMs: 10 }, { usec: 9, atMs: 10 }), 0, 'no span: no figure');
});
