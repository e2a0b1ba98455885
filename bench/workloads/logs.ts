// logs: one program writes N bytes to stdout as fast as it can; the time from
// its first write (its own stamp) until every byte is in the stdout log files
// (the file and its rotated backups, polled every 5 ms), and the bytes that
// never arrived. Plain (no rotation) and rotated (maxbytes, backups).
// Limit: the same writer piped into `cat > file`.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { runOk } from '../lib/run';
import { nowNs, sleep, waitFor } from '../lib/time';
import type { ProgramSpec, Supervisor } from '../supervisors/types';
import type { Ctx, Sample, Workload } from './types';

const dirBytes = (dir: string): number =>
  readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);

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

/** Waits for the writer's start stamp, then for `bytes` in `dir`; gives up after `stall_s` without growth. */
async function collect(ctx: Ctx, dir: string, stamp: string): Promise<{ seconds: number; lost: number }> {
  const { bytes, stall_s } = ctx.settings.logs;
  const started = await waitFor('the writer to start', 60_000, 2, () => {
    const m = existsSync(stamp) ? /^S (\d+)$/m.exec(readFileSync(stamp, 'utf8')) : null;
    return m ? BigInt(m[1]!) : undefined;
  });
  let seen = -1;
  let lastGrowth = Date.now();
  for (;;) {
    const have = dirBytes(dir);
    if (have >= bytes) {
      const seconds = Number(nowNs() - started) / 1e9;
      await sleep(100); // anything past N would be duplicated output: count it as not lost, note it
      const extra = dirBytes(dir) - bytes;
      if (extra > 0) ctx.note(`logs: ${extra} bytes more than written`);
      return { seconds, lost: 0 };
    }
    if (have !== seen) {
      seen = have;
      lastGrowth = Date.now();
    } else if (Date.now() - lastGrowth > stall_s * 1000) {
      return { seconds: NaN, lost: bytes - have };
    }
    await sleep(5);
  }
}

async function variant(sup: Supervisor, ctx: Ctx, name: string, maxbytes: number): Promise<{ seconds: number; lost: number }> {
  const { bytes, backups, starttime_s } = ctx.settings.logs;
  const home = join(ctx.dir, name);
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
    stdout: { file: join(out, 'w.log'), maxbytes, backups },
  };
  const d = sup.launch(home, [writer]);
  try {
    return await collect(ctx, out, stamp);
  } finally {
    await d.shutdown();
    rmSync(out, { recursive: true, force: true }); // counted: its pages go back for the next variant
  }
}

export const logs: Workload = {
  name: 'logs',
  describe: (s) => ({
    measure: `a C writer puts ${s.logs.bytes} bytes (100-byte lines, 64 KiB writes) on stdout; from its first write (its CLOCK_MONOTONIC stamp) until the stdout log dir holds every byte, polled every 5 ms; plain (maxbytes 0) and rotated (maxbytes ${s.logs.maxbytes}, ${s.logs.backups} backups); lost = bytes missing after ${s.logs.stall_s} s without growth`,
    limit: '`writer | cat > file`, timed the same way',
    settings: s.logs,
  }),
  metrics: [
    { key: 'plain_s', label: 'all bytes in the log', unit: 's', digits: 3, ratioTo: 'limit', target: { text: '≤ 1.2× cat', on: 'ratio', ok: (r) => r <= 1.2 } },
    { key: 'rotated_s', label: 'same, rotating', unit: 's', digits: 3, ratioTo: 'limit', target: { text: '≤ 1.2× cat', on: 'ratio', ok: (r) => r <= 1.2 } },
    { key: 'plain_lost', label: 'bytes lost', unit: 'B', digits: 0, target: { text: '0', on: 'value', ok: (v) => v === 0 } },
    { key: 'rotated_lost', label: 'bytes lost, rotating', unit: 'B', digits: 0, target: { text: '0', on: 'value', ok: (v) => v === 0 } },
  ],
  async measure(sup, ctx) {
    const plain = await variant(sup, ctx, 'plain', 0);
    const sample: Sample = { plain_s: plain.seconds, plain_lost: plain.lost };
    try {
      const rotated = await variant(sup, ctx, 'rotated', ctx.settings.logs.maxbytes);
      Object.assign(sample, { rotated_s: rotated.seconds, rotated_lost: rotated.lost });
    } catch (err) {
      ctx.note(`logs: ${sup.name}, rotating: ${(err as Error).message}`);
    }
    return sample;
  },
  async limit(ctx) {
    const { bytes } = ctx.settings.logs;
    const out = join(ctx.dir, 'cat');
    mkdirSync(out);
    const stamp = join(ctx.dir, 'cat.stamp');
    warmPageCache(ctx.dir, bytes);
    const piped = runOk(['sh', '-c', `"$0" ${bytes} "$1" | cat > "$2"`, ctx.tools.writer, stamp, join(out, 'w.log')]);
    const r = await collect(ctx, out, stamp);
    await piped;
    rmSync(out, { recursive: true, force: true });
    return { plain_s: r.seconds, rotated_s: r.seconds, plain_lost: r.lost, rotated_lost: r.lost };
  },
};
