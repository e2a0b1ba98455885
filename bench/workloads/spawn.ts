// spawn-500: from launching the daemon to every program RUNNING (its
// starttime subtracted), then `stop all` from the CLI until every process is
// gone. Limit: posix_spawn of the same sleeps, then SIGTERM and reap.
import { gone } from '../lib/proc';
import { runOk } from '../lib/run';
import { nowS, waitFor } from '../lib/time';
import { connectWhenUp } from '../supervisors/launch';
import { sleepers, untilAllRunning } from './common';
import type { Workload } from './types';

export const spawn: Workload = {
  name: 'spawn',
  describe: (s) => ({
    measure: `${s.spawn.programs} programs \`sleep 1000\`: daemon launch → all RUNNING polled every 50 ms on the socket, starttime ${s.spawn.starttime_s} s subtracted (PM2: "online", which has no start delay; nothing subtracted); then the CLI's \`stop all\` → every pid gone and status all stopped`,
    limit: `C posix_spawn loop of ${s.spawn.programs} sleeps (returns after exec), then SIGTERM + waitpid of all`,
    settings: s.spawn,
  }),
  metrics: [
    { key: 'start_s', label: 'start all → RUNNING (−starttime)', unit: 's', digits: 3, ratioTo: 'limit', target: { text: '≤ 4× limit', on: 'ratio', ok: (r) => r <= 4 } },
    { key: 'stop_s', label: 'stop all (CLI) → all gone', unit: 's', digits: 3, ratioTo: 'limit', target: { text: '≤ 0.3 s', on: 'value', ok: (v) => v <= 0.3 } },
  ],
  async measure(sup, ctx) {
    const { programs, starttime_s } = ctx.settings.spawn;
    const t0 = nowS();
    const d = sup.launch(ctx.dir, [sleepers(ctx, programs, starttime_s)]);
    try {
      const c = await connectWhenUp(d, 60_000);
      const procs = await untilAllRunning(c, programs, 50);
      const t1 = nowS();
      const pids = procs.map((p) => p.pid!).filter(Boolean);
      const cli = d.stopAllCli();
      const t2 = nowS();
      await runOk(cli.argv, { env: cli.env });
      await waitFor('every process stopped', 60_000, 10, async () =>
        pids.every(gone) && (await c.status()).every((p) => p.stopped) ? true : undefined,
      );
      const t3 = nowS();
      c.close();
      const startDelay = sup.name === 'pm2' ? 0 : starttime_s;
      return { start_s: t1 - t0 - startDelay, stop_s: t3 - t2 };
    } finally {
      await d.shutdown();
    }
  },
  async limit(ctx) {
    const r = await runOk([ctx.tools.forkloop, String(ctx.settings.spawn.programs), ctx.sleepBin]);
    return JSON.parse(r.stdout) as { start_s: number; stop_s: number };
  },
};
