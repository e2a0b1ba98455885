// The spawn wave, as the spawn and scale workloads run it: programs that
// stamp their start into the external observer (lib/observer.ts), and the
// limit, the C posix_spawn loop of the same program timed by that observer.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Observer } from '../lib/observer';
import { sleep } from '../lib/time';
import type { ProgramSpec } from '../supervisors/types';
import type { Ctx } from './types';

/** `numprocs` instances of upstamp, all stamping the id `name` into the observer's FIFO. */
export const upstampers = (ctx: Ctx, obs: Observer, name: string, numprocs: number, starttime: number): ProgramSpec => ({
  name,
  argv: [ctx.tools.upstamp, obs.fifo, name],
  numprocs,
  starttime,
  autorestart: true,
});

export const newObserver = (ctx: Ctx): Observer => new Observer(join(ctx.dir, 'started.fifo'));

/**
 * forkloop starts `n` upstamps (each with its index as id); start: from its
 * clock reading before the first spawn to the last stamp the observer got;
 * stop: its SIGTERM + waitpid of all, once the observer has seen them all.
 */
export async function limitWave(ctx: Ctx, n: number, timeoutMs: number): Promise<{ start_s: number; stop_s: number }> {
  const obs = newObserver(ctx);
  const child = spawn(ctx.tools.forkloop, [String(n), ctx.tools.upstamp, obs.fifo], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.on('error', () => undefined); // EPIPE once forkloop has exited: nothing left to tell it
  try {
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async (): Promise<Record<string, string | number>> => {
      const r = await lines.next();
      if (r.done) throw new Error(`forkloop exited ${child.exitCode ?? child.signalCode} before its report`);
      return JSON.parse(r.value as string) as Record<string, string | number>;
    };
    // A string: nanoseconds since boot may exceed a double's exact integers.
    const t0 = BigInt((await next()).t0_ns!);
    const last = await obs.allStarted(n, timeoutMs);
    child.stdin.write('\n');
    const stop_s = Number((await next()).stop_s);
    return { start_s: Number(last - t0) / 1e9, stop_s };
  } finally {
    // On a failure, forkloop's line on stdin still has it kill and reap what it started; SIGKILL alone would orphan them.
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin.end('\n');
      await Promise.race([exited, sleep(10_000)]);
      child.kill('SIGKILL');
    }
    obs.close();
  }
}
