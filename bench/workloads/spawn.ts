// spawn-500: from launching the daemon to every program started, timed by the
// external observer (each program stamps its exec into it: lib/observer.ts),
// and, as a second figure, to every program RUNNING by the supervisor's own
// status (its starttime subtracted); then `stop all` from the CLI until every
// program has exited and the status says all stopped. Limit: posix_spawn of
// the same program, timed by the same observer, then SIGTERM and reap.
import { runOk } from '../lib/run';
import { nowNs, waitFor } from '../lib/time';
import { connectWhenUp } from '../supervisors/launch';
import { untilAllRunning } from './common';
import type { Workload } from './types';
import { limitWave, newObserver, upstampers } from './wave';

const DEADLINE_MS = 180_000;

export const spawn: Workload = {
  name: 'spawn',
  describe: (s) => ({
    measure: `${s.spawn.programs} programs (limits/upstamp.c: stamps CLOCK_MONOTONIC into the bench's FIFO once exec'd, then pauses): daemon launch → the last program's stamp (the external observer, the same for every supervisor); daemon launch → all RUNNING by its own status polled every 50 ms on the socket, starttime ${s.spawn.starttime_s} s subtracted (PM2: "online", which has no start delay; nothing subtracted); then the CLI's \`stop all\` → every program exited (the observer's FIFO at end-of-file) and status all stopped`,
    limit: `C posix_spawn loop of the same ${s.spawn.programs} programs, from before its first spawn to the last stamp; then SIGTERM + waitpid of all`,
    settings: s.spawn,
  }),
  metrics: [
    { key: 'start_s', label: 'start all → all exec\'d (external observer)', unit: 's', digits: 3, ratioTo: 'limit', target: { text: '≤ 2× limit', on: 'ratio', ok: (r) => r <= 2 } },
    { key: 'running_s', label: 'start all → RUNNING by its status (−starttime)', unit: 's', digits: 3, ratioTo: 'limit' },
    { key: 'stop_s', label: 'stop all (CLI) → all exited, status stopped', unit: 's', digits: 3, ratioTo: 'limit', target: { text: '≤ 3× limit', on: 'ratio', ok: (r) => r <= 3 } },
  ],
  async measure(sup, ctx) {
    const { programs, starttime_s } = ctx.settings.spawn;
    const obs = newObserver(ctx);
    const t0 = nowNs();
    const d = sup.launch(ctx.dir, [upstampers(ctx, obs, 's', programs, starttime_s)]);
    try {
      const c = await connectWhenUp(d, 60_000);
      const [lastExec, t1] = await Promise.all([
        obs.allStarted(programs, DEADLINE_MS),
        untilAllRunning(c, programs, 50, DEADLINE_MS).then(() => nowNs()),
      ]);
      const cli = d.stopAllCli();
      obs.release();
      const t2 = nowNs();
      await Promise.all([runOk(cli.argv, { env: cli.env, timeoutMs: DEADLINE_MS }), obs.allExited(DEADLINE_MS)]);
      await waitFor('status all stopped', DEADLINE_MS, 10, async () => ((await c.status()).every((p) => p.stopped) ? true : undefined));
      const t3 = nowNs();
      c.close();
      const startDelay = sup.name.startsWith('pm2') ? 0 : starttime_s;
      return { start_s: Number(lastExec - t0) / 1e9, running_s: Number(t1 - t0) / 1e9 - startDelay, stop_s: Number(t3 - t2) / 1e9 };
    } finally {
      await d.shutdown();
      obs.close();
    }
  },
  async limit(ctx) {
    const r = await limitWave(ctx, ctx.settings.spawn.programs, DEADLINE_MS);
    return { start_s: r.start_s, running_s: r.start_s, stop_s: r.stop_s };
  },
};
