// The real daemon with a few thousand programs: all come up, the status of
// one is that one, a reload that changes one program restarts it alone (the
// others keep their pids), and `stop all` ends every one. Nothing is timed:
// waits are on conditions, with deadlines generous enough for a busy machine.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openFilesLimit, FDS_PER_PROGRAM } from '../../src/supervisor/fd-shortage';
import { type Daemon, waitFor } from './harness';
import { program, withDaemon } from './lifecycle-helpers';
import { childrenOf, errorLines, processesMatching } from './faults-runtime-helpers';

// The daemon inherits this process's limit of open files (Node raised the
// soft one to the hard one, and does the same in the daemon): the count is
// what fits under it, with room for the daemon's own descriptors.
const LIMIT = openFilesLimit();
const WANTED = 1500;
const COUNT = LIMIT === null ? WANTED : Math.min(WANTED, Math.floor((LIMIT - 1000) / FDS_PER_PROGRAM));
const tag = String(800_000 + Math.floor(Math.random() * 100_000));
const name = (i: number): string => `p${String(i).padStart(4, '0')}`;

function sleepers(changed: number | null): string {
  return Array.from({ length: COUNT }, (_, i) => program(name(i), { cmd: `sleep ${i === changed ? `${tag}1` : tag}`, starttime: 1, autorestart: false })).join('');
}

async function pidsIf(d: Daemon, state: string): Promise<Map<string, number> | null> {
  const all = await d.status();
  if (all.length !== COUNT || !all.every((p) => p.state === state)) return null;
  return new Map(all.map((p) => [p.name, p.pid as number]));
}

test(`${COUNT} programs: all RUNNING, status of one, a reload that changes one leaves the others' pids, stop all`, { skip: COUNT < 500 ? `only room for ${COUNT} programs under a limit of ${LIMIT} open files` : false }, async (t) => {
  t.diagnostic(`${COUNT} programs under a limit of ${LIMIT ?? 'unknown'} open files`);
  await withDaemon(sleepers(null), async (d) => {
    const before = (await waitFor(() => pidsIf(d, 'RUNNING'), `${COUNT} programs RUNNING`, 300_000))!;
    assert.equal(processesMatching(new RegExp(`^sleep ${tag}$`)).length, COUNT, 'one process per program');

    const middle = name(COUNT >> 1);
    const one = await d.request({ cmd: 'status', names: [middle] });
    assert.equal(one.ok, true, JSON.stringify(one));
    const rows = (one.result as { processes: { name: string; state: string; pid: number }[] }).processes;
    assert.deepEqual(rows.map((p) => [p.name, p.state, p.pid]), [[middle, 'PROCESS_STATE_RUNNING', before.get(middle)]]);

    const changed = 7;
    d.writeConfig(sleepers(changed));
    const reload = await d.request({ cmd: 'reload' });
    assert.equal(reload.ok, true, JSON.stringify(reload).slice(0, 500));
    const diff = reload.result as { restarted: string[]; unchanged: string[]; added: string[]; removed: string[] };
    assert.deepEqual([diff.restarted, diff.added, diff.removed, diff.unchanged.length], [[name(changed)], [], [], COUNT - 1]);
    const after = (await waitFor(() => pidsIf(d, 'RUNNING'), 'the changed program RUNNING again', 120_000))!;
    const moved = [...after].filter(([n, pid]) => before.get(n) !== pid).map(([n]) => n);
    assert.deepEqual(moved, [name(changed)], 'only the changed program has a new pid');
    assert.equal(processesMatching(new RegExp(`^sleep ${tag}1$`)).length, 1, 'its new command runs');

    const stop = await d.request({ cmd: 'stop', names: ['all'] });
    assert.equal(stop.ok, true, JSON.stringify(stop).slice(0, 500));
    assert.ok(await pidsIf(d, 'STOPPED'), 'all STOPPED once stop answers');
    await waitFor(() => childrenOf(d.proc.pid!).length === 0, 'no child of the daemon left', 60_000);
    assert.deepEqual(errorLines(d), []);
  });
});
