// The stats from recorded /proc text: parsing, summing a process group, the
// CPU percentage between readings, and a pass over a fake /proc in which
// processes vanish.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cpuPercent, groupStats, type MemberReading } from '../../src/stats/group-stats';
import { scanGroups, type ProcScan } from '../../src/stats/proc-reader';
import { parseSmapsRollup, parseStat } from '../../src/stats/proc-text';
import { ProcessSampler } from '../../src/stats/sampler';

/** A /proc/PID/stat line as Linux writes it; utime stime cutime cstime and threads as given. */
function statLine(pid: number, comm: string, state: string, pgrp: number, cpu: [number, number, number, number], threads: number): string {
  const [ut, st, cut, cst] = cpu;
  return `${pid} (${comm}) ${state} 1 ${pgrp} ${pgrp} 0 -1 4194560 98 0 0 0 ${ut} ${st} ${cut} ${cst} 20 0 ${threads} 0 2405712 3133440 388 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n`;
}

const ROLLUP = `55fc87ab9000-7fff2ccb9000 ---p 00000000 00:00 0                          [rollup]
Rss:                1712 kB
Pss:                 308 kB
Shared_Clean:       1556 kB
Shared_Dirty:          0 kB
Private_Clean:        40 kB
Private_Dirty:       116 kB
Referenced:         1712 kB
Shared_Hugetlb:        0 kB
Private_Hugetlb:    2048 kB
Swap:                  0 kB
`;

test('parseStat reads pgrp, CPU ticks (own and waited-for children) and threads', () => {
  const s = parseStat(statLine(4242, 'worker', 'S', 4240, [300, 50, 7, 3], 4));
  assert.deepEqual(s, { pid: 4242, state: 'S', pgrp: 4240, cpuTicks: 360, threads: 4 });
});

test('parseStat counts fields from the last parenthesis: a command name may hold spaces and parentheses', () => {
  const s = parseStat(statLine(7, 'a) S 1 2 (b', 'R', 9, [1, 2, 0, 0], 1));
  assert.equal(s?.pgrp, 9);
  assert.equal(s?.state, 'R');
  assert.equal(s?.cpuTicks, 3);
});

test('parseStat refuses what is not a stat line (an empty read of a process that just ended)', () => {
  assert.equal(parseStat(''), null);
  assert.equal(parseStat('12 (x) S 1 2'), null);
});

test('parseSmapsRollup: RSS, and USS as Private_Clean + Private_Dirty + Private_Hugetlb, in bytes', () => {
  assert.deepEqual(parseSmapsRollup(ROLLUP), { rss: 1712 * 1024, uss: (40 + 116 + 2048) * 1024 });
  assert.deepEqual(parseSmapsRollup(''), { rss: 0, uss: 0 }); // a zombie's
});

function member(pid: number, ticks: number, threads: number, rss: number, uss: number, fds: number | null): MemberReading {
  return { stat: { pid, state: 'S', pgrp: 100, cpuTicks: ticks, threads }, memory: { rss, uss }, fds };
}

test('groupStats sums every member of the group', () => {
  const members = [member(100, 250, 1, 1000, 600, 5), member(101, 150, 3, 3000, 2000, null), { ...member(102, 0, 1, 0, 0, 2), memory: null }];
  const s = groupStats(members, 100, 10_000, { cpuSeconds: 0, atMs: 0 });
  assert.equal(s.cpuSeconds, 4);
  assert.equal(s.rssBytes, 4000n);
  assert.equal(s.ussBytes, 2600n);
  assert.equal(s.threads, 5);
  assert.equal(s.fds, 7);
  assert.equal(s.processes, 3);
  assert.equal(s.cpuPercent, 40); // 4 s of CPU over 10 s since the mark
});

test('cpuPercent: 100 is one core; never negative; nothing over no time', () => {
  assert.equal(cpuPercent({ cpuSeconds: 1, atMs: 1000 }, { cpuSeconds: 3, atMs: 2000 }), 200);
  assert.equal(cpuPercent({ cpuSeconds: 5, atMs: 0 }, { cpuSeconds: 4, atMs: 1000 }), 0);
  assert.equal(cpuPercent({ cpuSeconds: 0, atMs: 1000 }, { cpuSeconds: 1, atMs: 1000 }), 0);
});

/** A sampler over scripted scans and a clock moved by hand. */
function scripted(ticksByPgid: () => Map<number, number>) {
  const clock = { now: 0 };
  const passes: number[] = [];
  const sampler = new ProcessSampler({
    scan: async (pgids): Promise<ProcScan> => {
      const members = new Map<number, MemberReading[]>();
      const groups = new Set<number>();
      for (const [pgid, ticks] of ticksByPgid()) {
        groups.add(pgid);
        if (pgids.has(pgid)) members.set(pgid, [member(pgid, ticks, 1, 0, 0, 0)]);
      }
      return { members, groups };
    },
    clockTicksPerSecond: async () => 100,
    now: () => clock.now,
    scanned: (targets) => passes.push(targets),
  });
  return { clock, passes, sampler };
}

test('the first reading of a process is its average since the spawn; later ones cover the time since the last', async () => {
  let ticks = 100;
  const { clock, sampler } = scripted(() => new Map([[50, ticks]]));
  const target = [{ name: 'w', pgid: 50, spawnedAtMs: 0 }];
  clock.now = 4000; // 1 s of CPU in 4 s
  assert.equal((await sampler.sample(target)).get('w')?.cpuPercent, 25);
  ticks = 200;
  clock.now = 5000; // 1 s more in the last second
  assert.equal((await sampler.sample(target)).get('w')?.cpuPercent, 100);
});

test('a reading soon after the last one is measured from the one before, and does not become a mark', async () => {
  let ticks = 0;
  const { clock, sampler } = scripted(() => new Map([[50, ticks]]));
  const target = [{ name: 'w', pgid: 50, spawnedAtMs: 0 }];
  clock.now = 1000;
  await sampler.sample(target);
  ticks = 50;
  clock.now = 2000;
  assert.equal((await sampler.sample(target)).get('w')?.cpuPercent, 50);
  ticks = 52;
  clock.now = 2010; // 2 ticks in 10 ms would read as 200 %
  assert.equal((await sampler.sample(target)).get('w')?.cpuPercent, 52 / 1.01);
  ticks = 102;
  clock.now = 3000; // measured from 2000, the last kept mark
  assert.equal((await sampler.sample(target)).get('w')?.cpuPercent, 52);
});

test('a new process with the pid of an earlier one starts from its own spawn', async () => {
  let ticks = 500;
  const { clock, sampler } = scripted(() => new Map([[50, ticks]]));
  clock.now = 10_000;
  await sampler.sample([{ name: 'w', pgid: 50, spawnedAtMs: 0 }]);
  ticks = 100;
  clock.now = 12_000;
  assert.equal((await sampler.sample([{ name: 'w', pgid: 50, spawnedAtMs: 11_000 }])).get('w')?.cpuPercent, 100);
});

test('nothing to sample reads nothing; a group with no live member gets no stats', async () => {
  const { passes, sampler } = scripted(() => new Map([[50, 0]]));
  assert.equal((await sampler.sample([])).size, 0);
  assert.deepEqual(passes, []);
  const got = await sampler.sample([{ name: 'gone', pgid: 77, spawnedAtMs: 0 }]);
  assert.equal(got.has('gone'), false);
  assert.deepEqual(passes, [1]);
});

test('scanGroups finds the members of the asked-for groups in one pass and skips zombies and vanished processes', async () => {
  const proc = mkdtempSync(join(tmpdir(), 'tm-proc-'));
  try {
    const write = (pid: number, stat: string | null, rollup: string | null, fds: number | null) => {
      mkdirSync(join(proc, String(pid)));
      if (stat !== null) writeFileSync(join(proc, String(pid), 'stat'), stat);
      if (rollup !== null) writeFileSync(join(proc, String(pid), 'smaps_rollup'), rollup);
      if (fds !== null) {
        mkdirSync(join(proc, String(pid), 'fd'));
        for (let i = 0; i < fds; i++) writeFileSync(join(proc, String(pid), 'fd', String(i)), '');
      }
    };
    write(100, statLine(100, 'leader', 'S', 100, [10, 0, 0, 0], 2), ROLLUP, 4);
    write(101, statLine(101, 'child', 'R', 100, [20, 0, 0, 0], 1), null, null); // memory and fds unreadable
    write(102, statLine(102, 'dead', 'Z', 100, [0, 0, 0, 0], 1), '', null); // a zombie
    write(103, null, null, null); // ended between readdir and read
    write(200, statLine(200, 'other', 'S', 200, [5, 0, 0, 0], 1), ROLLUP, 1);
    mkdirSync(join(proc, 'self')); // not a pid
    const scan = await scanGroups(new Set([100, 300]), proc);
    assert.deepEqual([...scan.groups].sort(), [100, 200]);
    assert.deepEqual([...scan.members.keys()], [100]);
    const members = scan.members.get(100)!.sort((a, b) => a.stat.pid - b.stat.pid);
    assert.deepEqual(members.map((m) => [m.stat.pid, m.fds, m.memory?.uss ?? null]), [
      [100, 4, (40 + 116 + 2048) * 1024],
      [101, null, null],
    ]);
  } finally {
    rmSync(proc, { recursive: true, force: true });
  }
});
