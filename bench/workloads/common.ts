// Steps shared by the workloads.
import { connectWhenUp } from '../supervisors/launch';
import type { Daemon, ProcInfo, ProgramSpec, RawClient, Supervisor } from '../supervisors/types';
import { waitFor } from '../lib/time';
import type { Ctx } from './types';

export const sleepers = (ctx: Ctx, programs: number, starttime: number): ProgramSpec => ({
  name: 's',
  argv: [ctx.sleepBin, '1000'],
  numprocs: programs,
  starttime,
  autorestart: true,
});

/** Polls status on one connection every `everyMs` until all `count` processes are RUNNING. */
export const untilAllRunning = (c: RawClient, count: number, everyMs: number, timeoutMs = 180_000): Promise<ProcInfo[]> =>
  waitFor(`${count} processes RUNNING`, timeoutMs, everyMs, async () => {
    const st = await c.status();
    return st.length === count && st.every((p) => p.running) ? st : undefined;
  });

/** Launches the supervisor on these programs, runs `body` once all are RUNNING, then shuts it down. */
export async function withRunning<T>(
  sup: Supervisor,
  ctx: Ctx,
  programs: ProgramSpec[],
  body: (d: Daemon, procs: ProcInfo[]) => Promise<T>,
): Promise<T> {
  const d = sup.launch(ctx.dir, programs);
  try {
    const c = await connectWhenUp(d, 60_000);
    const procs = await untilAllRunning(c, programs.reduce((n, p) => n + p.numprocs, 0), 100);
    c.close();
    return await body(d, procs);
  } finally {
    await d.shutdown();
  }
}
