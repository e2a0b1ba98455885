// The size of the children's pipes once taskmasterd.user has dropped root:
// grown within the daemon's share of fs.pipe-user-pages-soft, the default
// past it, never the kernel's 2-page floor; and every byte still arrives.
// 100 programs, each of which reports the capacity of its stdout and stderr
// pipes (F_GETPIPE_SZ), waits until all have (so none closes its pipes
// early), then writes 1 MiB.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PIPE_DEFAULT_PAGES, pipeLimitsOf, pipePages, pipeRequest } from '../../src/supervisor/pipe-budget';
import { ROOT, readText, startDaemon, waitFor } from './harness';

// Its own account, so that no other test's pipes count against the same user.
const USER = 'tm-pipes';
const PROGRAMS = 100;
const LINES = 131072; // test/fixtures/pipe-writer.c's: 1 MiB of "%07d\n"
const DEADLINE_MS = 90_000; // only bounds a hung run

function ensureUser(): void {
  if (spawnSync('id', ['-u', USER]).status === 0) return;
  const r = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', USER], { encoding: 'utf8' });
  assert.equal(r.status, 0, `useradd ${USER}: ${r.stderr}`);
}

const sysctl = (name: string): number => Number(readFileSync(`/proc/sys/fs/${name}`, 'utf8').trim());
const capEff = (pid: number): bigint => BigInt(`0x${/^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]}`);

/**
 * The [stdout, stderr] capacities pipe-budget.ts means the programs to get,
 * as the daemon makes them: in one wave, two pipes per spawn, all held.
 */
function expectedPipes(capabilities: bigint, pageSize: number): [number, number][] {
  const sysctls = { maxSize: sysctl('pipe-max-size'), userPagesSoft: sysctl('pipe-user-pages-soft'), userPagesHard: sysctl('pipe-user-pages-hard') };
  const limits = pipeLimitsOf(sysctls, capabilities, pageSize);
  let held = 0;
  const make = (): number => {
    const asked = pipeRequest(limits, held);
    const bytes = asked === 0 ? PIPE_DEFAULT_PAGES * pageSize : asked;
    held += pipePages(bytes, pageSize);
    return bytes;
  };
  return Array.from({ length: PROGRAMS }, () => [make(), make()]);
}

const sorted = (pairs: [number, number][]): string[] => pairs.map(([o, e]) => `${o}/${e}`).sort();

test('taskmasterd.user with 100 programs: each pipe the size the budget meant, none at the 2-page floor, 100 × 1 MiB whole', async () => {
  assert.equal(process.getuid?.(), 0, 'this test needs root (CI runs as root): it starts the daemon as root to drop to a user');
  ensureUser();
  const dir = mkdtempSync(join(tmpdir(), 'tm-pipes-'));
  chmodSync(dir, 0o755); // the user reaches the program, the FIFO and its log folder below
  const writer = join(dir, 'pipe-writer');
  const cc = spawnSync(process.env.CC ?? 'cc', ['-O2', '-Wall', '-o', writer, join(ROOT, 'test/fixtures/pipe-writer.c')], { encoding: 'utf8' });
  assert.equal(cc.status, 0, `compiling test/fixtures/pipe-writer.c (make test-deps installs gcc): ${cc.stderr ?? cc.error}`);
  const fifo = join(dir, 'go');
  execFileSync('mkfifo', ['-m', '0666', fifo]);

  const programs = `  w:\n    cmd: ${writer} ${fifo}\n    numprocs: ${PROGRAMS}\n    starttime: 0\n    autorestart: false\n    stdout_maxbytes: 0\n`;
  const d = await startDaemon(programs, `  user: ${USER}\n`, dir);
  let go: number | null = null;
  try {
    const logOf = (i: number): string => join(d.logdir, `w_${i}.stdout.log`);
    const firstLine = (i: number): RegExpExecArray | null => /^pipe-size (-?\d+) (-?\d+)\n/.exec(readText(logOf(i)));
    // Every program has started and holds its pipes: all 200 were made in one wave.
    await waitFor(() => Array.from({ length: PROGRAMS }, (_, i) => firstLine(i)).every(Boolean), 'every program\'s pipe sizes', DEADLINE_MS);
    const seen = Array.from({ length: PROGRAMS }, (_, i) => {
      const m = firstLine(i)!;
      return [Number(m[1]), Number(m[2])] as [number, number];
    });

    const caps = capEff(d.proc.pid!);
    assert.equal(caps, 0n, 'the daemon has no capability left after dropping root');
    const pageSize = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim());
    for (const [i, [out, err]] of seen.entries()) {
      assert.ok(out > 2 * pageSize && err > 2 * pageSize, `w:${i}: pipes of ${out} and ${err} bytes: at the kernel's 2-page floor, or not pipes (-1)`);
    }
    assert.deepEqual(sorted(seen), sorted(expectedPipes(caps, pageSize)), 'the [stdout/stderr] capacities, as pipe-budget.ts means them');

    // Let them all write their 1 MiB.
    go = openSync(fifo, 'r+'); // read-write: opening a FIFO so never waits for a reader
    writeSync(go, Buffer.alloc(PROGRAMS, 'g'));
    const body = Buffer.from(Array.from({ length: LINES }, (_, n) => `${String(n).padStart(7, '0')}\n`).join(''));
    const whole = (i: number): boolean => {
      try {
        return statSync(logOf(i)).size === firstLine(i)![0].length + body.length;
      } catch {
        return false;
      }
    };
    await waitFor(async () => {
      const status = await d.status();
      return status.length === PROGRAMS && status.every((p) => p.state === 'EXITED') && seen.every((_, i) => whole(i));
    }, 'all 100 programs exited with their output in their logs', DEADLINE_MS);
    for (const p of await d.status()) assert.equal(p.exitcode, 0, `${p.name}: ${p.description}`);
    for (let i = 0; i < PROGRAMS; i++) {
      const log = readFileSync(logOf(i));
      assert.ok(log.subarray(firstLine(i)![0].length).equals(body), `w:${i}: its 1 MiB arrived whole and in order`);
    }

    // Every pipe has closed, and the budget has its pages back: a program
    // started now gets what the first of the wave got.
    const before = readText(logOf(0)).length;
    assert.equal(d.ctl('start', 'w:0').code, 0);
    const again = await waitFor(() => /^pipe-size (-?\d+) (-?\d+)\n/.exec(readText(logOf(0)).slice(before)), 'w:0 started again', DEADLINE_MS);
    assert.deepEqual([Number(again![1]), Number(again![2])], expectedPipes(caps, pageSize)[0], 'the pipes of a start after all closed');
    writeSync(go, 'g');
  } finally {
    if (go !== null) closeSync(go);
    await d.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
