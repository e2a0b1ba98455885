// ctl: the one-shot CLI `status` (process wall time) against `node -e 0` run
// back to back with it, in pairs (as hyperfine compares commands: the same
// moment of a noisy machine for both, and the order alternating so neither
// always runs second, after the other warmed the caches), the ratio taken
// per pair; and the socket round trip alone (connect, greet, status, close,
// from this process). Limits: `node -e 0` alone, and connect + two echoed
// lines + close on a bare echo server.
import { median } from '../lib/stats';
import { run, runOk } from '../lib/run';
import type { Daemon } from '../supervisors/types';
import { nowNs } from '../lib/time';
import { echoConnect, startEchoServer } from '../limits/echo';
import { sleepers, withRunning } from './common';
import type { Workload } from './types';

const HELLO = '{"id":1,"cmd":"hello","version":1}\n';
const STATUS = '{"id":2,"cmd":"status","names":[]}\n';

/** Median wall time in ms of `repeats` calls, after one warm-up call. */
async function timeIt(repeats: number, once: () => Promise<void>): Promise<number> {
  await once();
  const ms: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = nowNs();
    await once();
    ms.push(Number(nowNs() - t) / 1e6);
  }
  return median(ms);
}

const nodeE0 = [process.execPath, '-e', '0'];

/** `pairs` back-to-back runs of the CLI's status and `node -e 0`, after one warm-up pair; ms, and the ratio, by medians. */
async function cliPairs(d: Daemon, pairs: number): Promise<{ cli_ms: number; node_ms: number; cli_ratio: number }> {
  const cli = d.statusCli();
  const time = async (argv: string[], env?: NodeJS.ProcessEnv): Promise<number> => (await runOk(argv, { env })).seconds * 1000;
  const cliMs: number[] = [];
  const nodeMs: number[] = [];
  for (let i = -1; i < pairs; i++) {
    let c: number;
    let n: number;
    if (i % 2 === 0) {
      c = await time(cli.argv, cli.env);
      n = await time(nodeE0);
    } else {
      n = await time(nodeE0);
      c = await time(cli.argv, cli.env);
    }
    if (i < 0) continue; // the warm-up pair
    cliMs.push(c);
    nodeMs.push(n);
  }
  return { cli_ms: median(cliMs), node_ms: median(nodeMs), cli_ratio: median(cliMs.map((c, i) => c / nodeMs[i]!)) };
}

export const ctl: Workload = {
  name: 'ctl',
  describe: (s) => ({
    measure: `${s.ctl.programs} programs RUNNING; the CLI's one-shot status as a process (taskmasterctl status, supervisorctl status, pm2 status) and \`node -e 0\` (the same node) in ${s.ctl.pairs} back-to-back pairs, alternating which runs first, after 1 warm-up pair: the median of each and the median of the per-pair ratios; then, median of ${s.ctl.repeats} (after 1 warm-up), from a connected-per-call raw client: connect + greet + status + close (taskmaster NDJSON hello+status; supervisord XML-RPC getAPIVersion+getAllProcessInfo over HTTP on its Unix socket; PM2 axon RPC getVersion+getMonitorData with PM2's own axon modules)`,
    limit: `\`node -e 0\` alone, median of ${s.ctl.repeats}; connect + 2 echoed request lines + close on a bare Node Unix-socket echo server`,
    settings: s.ctl,
  }),
  metrics: [
    { key: 'cli_ms', label: 'one-shot CLI status', unit: 'ms', digits: 1 },
    { key: 'node_ms', label: '`node -e 0`, in the same pairs', unit: 'ms', digits: 1 },
    { key: 'cli_ratio', label: 'CLI status ÷ `node -e 0`, median of pairs', unit: '×', digits: 3, target: { text: '≤ 1.05', on: 'value', ok: (r) => r <= 1.05 } },
    { key: 'rtt_ms', label: 'socket connect+greet+status', unit: 'ms', digits: 2, ratioTo: 'limit', target: { text: '≤ 1 ms', on: 'value', ok: (v) => v <= 1 } },
  ],
  measure: (sup, ctx) => {
    const { programs, starttime_s, repeats, pairs } = ctx.settings.ctl;
    return withRunning(sup, ctx, [sleepers(ctx, programs, starttime_s)], async (d) => {
      const cli = await cliPairs(d, pairs);
      const rtt_ms = await timeIt(repeats, async () => {
        const c = await d.connect();
        const st = await c.status();
        c.close();
        if (st.length !== programs) throw new Error(`status listed ${st.length} processes, not ${programs}`);
      });
      return { ...cli, rtt_ms };
    });
  },
  async limit(ctx) {
    const { repeats } = ctx.settings.ctl;
    const node_ms = await timeIt(repeats, async () => void (await run(nodeE0)));
    const echo = await startEchoServer(ctx.dir);
    try {
      const rtt_ms = await timeIt(repeats, async () => {
        const c = await echoConnect(echo.socket);
        await c.roundTrip(HELLO);
        await c.roundTrip(STATUS);
        c.close();
      });
      return { node_ms, rtt_ms };
    } finally {
      await echo.stop();
    }
  },
};
