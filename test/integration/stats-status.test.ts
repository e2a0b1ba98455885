// status -l and --json status against the real daemon: a program whose child
// burns CPU and holds memory shows both, summed over its process group;
// restarts and the last exit are counted; and an idle daemon reads nothing
// of /proc (each pass logs a debug line, which the harness's loglevel shows).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Daemon, readText, ROOT, waitFor } from './harness';
import { program, settle, waitState, withDaemon, withDaemonIn } from './lifecycle-helpers';

const LOAD = `${process.execPath} ${join(ROOT, 'test/fixtures/stats-load.js')}`;
const MIB = 1024 * 1024;
const HELD_MB = 64;
const SCAN_LINE = /stats: read \/proc for/g;

interface Stats {
  cpu_percent: number;
  cpu_seconds: number;
  rss_bytes: number;
  uss_bytes: number;
  threads: number;
  fds: number;
  processes: number;
}
interface LongRow {
  name: string;
  state: string;
  restarts: number;
  exited_at: string | null;
  exitcode: number | null;
  stats: Stats | null;
}

async function longStatus(d: Daemon, ...names: string[]): Promise<LongRow[]> {
  const r = await d.ctlAsync('--json', 'status', '-l', ...names);
  assert.equal(r.stderr, '');
  return JSON.parse(r.stdout) as LongRow[];
}

async function statsOf(d: Daemon, name: string): Promise<Stats> {
  const [row] = await longStatus(d, name);
  assert.ok(row?.stats, `no stats for ${name}: ${JSON.stringify(row)}`);
  return row.stats;
}

const scans = (d: Daemon): number => d.output().match(SCAN_LINE)?.length ?? 0;

test('a program whose child burns CPU and holds memory: its group summed, CPU seconds growing', () =>
  withDaemonIn(
    (dir) => program('load', { cmd: LOAD, stopasgroup: true, killasgroup: true, env: { LOAD_MB: HELD_MB, LOAD_BURN: '1', LOAD_READY: join(dir, 'ready') } }),
    async (d, dir) => {
      await waitState(d, 'load', 'RUNNING');
      await waitFor(() => readText(join(dir, 'ready')) !== '', 'the child to hold its memory');
      const first = await statsOf(d, 'load');
      assert.equal(first.processes, 2, 'the program and its child');
      assert.ok(first.uss_bytes >= HELD_MB * MIB, `uss ${first.uss_bytes} < ${HELD_MB} MiB`);
      assert.ok(first.rss_bytes >= first.uss_bytes, 'RSS holds the private memory and more');
      assert.ok(first.threads >= 2, `threads ${first.threads}`);
      assert.ok(first.fds >= 6, `fds ${first.fds}: each process has at least stdin, stdout and stderr`);
      assert.ok(first.cpu_percent > 0, 'the first reading: the average since the spawn');
      // The spinning child adds CPU time whatever the machine's load: wait for it to show.
      await waitFor(async () => (await statsOf(d, 'load')).cpu_seconds > first.cpu_seconds, 'CPU seconds to grow');
      // The text view shows the same columns.
      const text = (await d.ctlAsync('status', '-l', 'load')).stdout.split('\n');
      assert.match(text[0]!, /^NAME\s+STATE\s+CPU%\s+USS\s+RSS\s+PEAK\s+RESTARTS/);
      // PEAK: memory.peak in the cgroup mode, - with process groups only.
      assert.match(text[1]!, /^load\s+RUNNING\s+\d+\.\d\s+\d+(\.\d)?M\s+\d+(\.\d)?M\s+(-|\d+(\.\d)?[KMG])\s+0\s/);
    },
  ));

test('restarts counts the spawns after the first, and exited_at says when the last run ended', () =>
  withDaemon(program('worker', {}), async (d) => {
    await waitState(d, 'worker', 'RUNNING');
    const [before] = await longStatus(d, 'worker');
    assert.deepEqual([before!.restarts, before!.exited_at], [0, null]);
    const started = Date.now();
    for (let i = 1; i <= 2; i++) {
      assert.equal((await d.ctlAsync('restart', 'worker')).code, 0);
      const [row] = await longStatus(d, 'worker');
      assert.equal(row!.restarts, i);
      assert.ok(row!.exited_at !== null);
      const at = Date.parse(row!.exited_at);
      assert.ok(at >= started - 1000 && at <= Date.now() + 1000, `exited_at ${row!.exited_at}`);
    }
  }));

test('a process that exited: exited_at set, no stats, no restart counted', () =>
  withDaemon(program('once', { autorestart: false, env: { CHILD_EXIT_AFTER_MS: 300, CHILD_EXIT_CODE: 3 } }), async (d) => {
    await waitState(d, 'once', 'EXITED');
    const [row] = await longStatus(d, 'once');
    assert.equal(row!.exitcode, 3);
    assert.ok(row!.exited_at !== null && !Number.isNaN(Date.parse(row!.exited_at)));
    assert.equal(row!.stats, null);
    assert.equal(row!.restarts, 0);
  }));

test('an idle daemon reads nothing of /proc; status -l reads it once; a plain status never', () =>
  withDaemon(program('worker', { numprocs: 2 }), async (d) => {
    await waitState(d, 'worker:1', 'RUNNING');
    await d.status();
    // Nothing asks for stats here: no pass may happen, however long it idles.
    await settle(1500);
    assert.equal(scans(d), 0, 'a pass over /proc that nobody asked for');
    await statsOf(d, 'worker:0');
    await waitFor(() => scans(d) === 1, 'the one pass of status -l in the log');
    await d.ctlAsync('status');
    await settle(500);
    assert.equal(scans(d), 1);
  }));
