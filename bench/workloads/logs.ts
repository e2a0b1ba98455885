// logs: one program writes N bytes of numbered lines to stdout as fast as it
// can; the time from its first write (its own stamp) until every byte is in
// the stdout log files (the file and its rotated backups, polled every 5 ms),
// then, once the supervisor is down, the content: every line once, in order,
// whole, across the rotated files (lib/lines.ts). Plain (no rotation) and
// rotated (maxbytes, backups), in alternating order. Limits: the writer straight into a file, and
// through a pipe of the size a supervisor uses (limits/pipecat.c).
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describeDamage, LINE_BYTES, LineChecker, type LineReport, rotationOrder } from '../lib/lines';
import { runOk } from '../lib/run';
import { nowNs, sleep, waitFor } from '../lib/time';
import type { ProgramSpec, Supervisor } from '../supervisors/types';
import type { Ctx, Metric, Sample, Workload } from './types';

const LOG = 'w.log';
const KiB = 1024;

/**
 * The bytes in the log dir. A supervisor may rotate between readdir and stat:
 * a name gone by then (ENOENT) is skipped, and a file seen under two names
 * (renamed w.log → w.log.1 between two stats) is counted once, by inode. So
 * a scan never counts more than is there; a short count is polled again.
 */
function logBytes(dir: string): number {
  const inodes = new Set<number>();
  let n = 0;
  for (const f of readdirSync(dir)) {
    let st;
    try {
      st = statSync(join(dir, f));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    if (inodes.has(st.ino)) continue;
    inodes.add(st.ino);
    n += st.size;
  }
  return n;
}

/** Reads the log's files oldest first through the line checker; run once nothing writes them. */
function checkContent(dir: string, lines: number): LineReport {
  const checker = new LineChecker(lines);
  const buf = Buffer.alloc(1 << 20);
  for (const name of rotationOrder(readdirSync(dir), LOG)) {
    checker.nextFile();
    const fd = openSync(join(dir, name), 'r');
    try {
      for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) checker.push(buf.subarray(0, n));
    } finally {
      closeSync(fd);
    }
  }
  return checker.finish();
}

/**
 * Writes and deletes `bytes` once, so the run after writes into page-cache
 * memory the kernel has handed out before. In a VM the first touch of a
 * guest page is slow: here the same 200 MB of writes took 37 ms into reused
 * pages and 290–585 ms into fresh ones, which is noise, not the supervisor.
 */
function warmPageCache(dir: string, bytes: number): void {
  const file = join(dir, 'warm');
  const chunk = Buffer.alloc(1 << 20);
  const fd = openSync(file, 'w');
  try {
    for (let done = 0; done < bytes; done += chunk.length) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
    rmSync(file);
  }
}

/** Waits for the writer's start stamp, then for `bytes` in `dir`; seconds, or why not after `stall_s` without growth. */
async function timeToAllBytes(ctx: Ctx, dir: string, stamp: string): Promise<{ seconds: number } | { stalled: string }> {
  const { bytes, stall_s } = ctx.settings.logs;
  const started = await waitFor('the writer to start', 60_000, 2, () => {
    const m = existsSync(stamp) ? /^S (\d+)$/m.exec(readFileSync(stamp, 'utf8')) : null;
    return m ? BigInt(m[1]!) : undefined;
  });
  let seen = -1;
  let lastGrowth = Date.now();
  for (;;) {
    const have = logBytes(dir);
    if (have >= bytes) return { seconds: Number(nowNs() - started) / 1e9 };
    if (have !== seen) {
      seen = have;
      lastGrowth = Date.now();
    } else if (Date.now() - lastGrowth > stall_s * 1000) {
      return { stalled: `stalled ${stall_s} s at ${have} of ${bytes} bytes` };
    }
    await sleep(5);
  }
}

function lineCount(ctx: Ctx): number {
  const { bytes } = ctx.settings.logs;
  if (bytes % LINE_BYTES !== 0) throw new Error(`logs.bytes must be a multiple of ${LINE_BYTES} (whole lines), not ${bytes}`);
  return bytes / LINE_BYTES;
}

/** One variant's sample: `<v>_s` (NaN if it stalled, with the reason failed), and the content counts. */
async function measured(ctx: Ctx, v: string, dir: string, time: { seconds: number } | { stalled: string }): Promise<Sample> {
  const r = checkContent(dir, lineCount(ctx));
  const extra = logBytes(dir) - ctx.settings.logs.bytes;
  if ('stalled' in time) ctx.fail(`${v}: ${time.stalled}; ${describeDamage(r)}`);
  else if (r.lost + r.duplicated + r.outOfOrder + r.split + r.malformed > 0 || extra !== 0) ctx.note(`logs, ${v}: ${describeDamage(r)}${extra ? `, ${extra} bytes more than written` : ''}`);
  return {
    [`${v}_s`]: 'seconds' in time ? time.seconds : NaN,
    [`${v}_lost`]: r.lost,
    [`${v}_damaged`]: r.duplicated + r.outOfOrder + r.split + r.malformed,
    [`${v}_duplicated`]: r.duplicated,
    [`${v}_out_of_order`]: r.outOfOrder,
    [`${v}_split`]: r.split,
    [`${v}_malformed`]: r.malformed,
  };
}

async function variant(sup: Supervisor, ctx: Ctx, v: 'plain' | 'rotated', maxbytes: number): Promise<Sample> {
  const { bytes, backups, starttime_s } = ctx.settings.logs;
  lineCount(ctx);
  const home = join(ctx.dir, v);
  const out = join(home, 'out');
  mkdirSync(out, { recursive: true });
  const stamp = join(home, 'stamp');
  warmPageCache(home, bytes);
  const writer: ProgramSpec = {
    name: 'w',
    argv: [ctx.tools.writer, String(bytes), stamp],
    numprocs: 1,
    starttime: starttime_s,
    autorestart: false,
    stdout: { file: join(out, LOG), maxbytes, backups },
  };
  const d = sup.launch(home, [writer]);
  let time;
  try {
    time = await timeToAllBytes(ctx, out, stamp);
  } finally {
    await d.shutdown();
  }
  try {
    return await measured(ctx, v, out, time);
  } finally {
    rmSync(out, { recursive: true, force: true }); // counted: its pages go back for the next variant
  }
}

/** A limit: `argv` (the writer, its output to `file` one way or another), timed and checked the same way. */
async function floor(ctx: Ctx, v: string, argv: (file: string, stamp: string) => string[]): Promise<Sample> {
  const { bytes } = ctx.settings.logs;
  lineCount(ctx);
  const out = join(ctx.dir, v);
  mkdirSync(out);
  const stamp = join(ctx.dir, `${v}.stamp`);
  warmPageCache(ctx.dir, bytes);
  const done = runOk(argv(join(out, LOG), stamp));
  try {
    const time = await timeToAllBytes(ctx, out, stamp);
    await done;
    return await measured(ctx, v, out, time);
  } finally {
    await done.catch(() => undefined);
    rmSync(out, { recursive: true, force: true });
  }
}

const seconds = (key: string, label: string): Metric => ({
  key,
  label,
  unit: 's',
  digits: 3,
  ratioTo: 'limit',
  target: { text: '≤ 1.1× writer > file', on: 'ratio', ok: (r) => r <= 1.1 },
});
const count = (key: string, label: string): Metric => ({ key, label, unit: '', digits: 0, each: true, target: { text: '0 in every run', on: 'value', ok: (v) => v === 0, worst: true } });
const floorRow = (key: string, label: string): Metric => ({ key, label, unit: 's', digits: 3 });

export const logs: Workload = {
  name: 'logs',
  describe: (s) => ({
    measure: `a C writer puts ${s.logs.bytes} bytes on stdout as numbered 100-byte lines in 65,500-byte writes; from its first write (its CLOCK_MONOTONIC stamp) until the stdout log files hold every byte (polled every 5 ms; a file renamed or removed during the scan is skipped, one seen under two names counted once); then, the supervisor stopped, the files read oldest backup first: lines lost, and lines duplicated, out of order, split across two files or garbled ("damaged"); plain (maxbytes 0) and rotated (maxbytes ${s.logs.maxbytes}, ${s.logs.backups} backups); a variant with no growth for ${s.logs.stall_s} s before all bytes is a failed sample`,
    limit: 'the writer straight into the file (`writer > file`), timed and checked the same way; for reference, the same through a pipe: 64 KiB (the default, which supervisord and PM2 read) with 64 KiB reads, and 1 MiB with 1 MiB reads (what taskmaster asks for, src/supervisor/pipe-budget.ts), copied by a C reader (limits/pipecat.c)',
    settings: s.logs,
  }),
  metrics: [
    seconds('plain_s', 'all lines in the log'),
    seconds('rotated_s', 'same, rotating'),
    floorRow('pipe64k_s', 'floor through a 64 KiB pipe'),
    floorRow('pipe1m_s', 'floor through a 1 MiB pipe'),
    count('plain_lost', 'lines lost'),
    count('plain_damaged', 'lines damaged'),
    count('rotated_lost', 'lines lost, rotating'),
    count('rotated_damaged', 'lines damaged, rotating'),
  ],
  async measure(sup, ctx) {
    const sample: Sample = {};
    const rotating = async (): Promise<void> => {
      if (sup.name.startsWith('pm2')) {
        ctx.note('logs: PM2 has no log rotation of its own (pm2-logrotate is a separate module): no rotating figures');
        return;
      }
      try {
        Object.assign(sample, await variant(sup, ctx, 'rotated', ctx.settings.logs.maxbytes));
      } catch (err) {
        ctx.fail(`rotated: ${(err as Error).message}`);
        // NaN, not absent: absent in every run would read as "not measured" rather than failed.
        Object.assign(sample, { rotated_s: NaN, rotated_lost: NaN, rotated_damaged: NaN });
      }
    };
    // The variants swap places from run to run: the first after the page-cache churn of whatever ran before is not always plain.
    if (ctx.run % 2 === 1) await rotating();
    Object.assign(sample, await variant(sup, ctx, 'plain', 0));
    if (ctx.run % 2 === 0) await rotating();
    return sample;
  },
  async limit(ctx) {
    const { bytes } = ctx.settings.logs;
    const w = ctx.tools.writer;
    const straight = await floor(ctx, 'plain', (file, stamp) => ['sh', '-c', 'exec "$0" "$1" "$2" > "$3"', w, String(bytes), stamp, file]);
    const pipe64k = await floor(ctx, 'pipe64k', (file, stamp) => [ctx.tools.pipecat, String(64 * KiB), String(64 * KiB), file, w, String(bytes), stamp]);
    const pipe1m = await floor(ctx, 'pipe1m', (file, stamp) => [ctx.tools.pipecat, String(1024 * KiB), String(1024 * KiB), file, w, String(bytes), stamp]);
    // Rotation is the supervisor's work: the floor is the same file either way.
    return { ...straight, ...pipe64k, ...pipe1m, rotated_s: straight.plain_s!, rotated_lost: straight.plain_lost!, rotated_damaged: straight.plain_damaged! };
  },
};
