// ctl: the one-shot CLI `status` (process wall time), and the socket round
// trip alone (connect, greet, status, close, from this process). Limits:
// `node -e 0`, and connect + two echoed lines + close on a bare echo server.
import { median } from '../lib/stats';
import { run, runOk } from '../lib/run';
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

export const ctl: Workload = {
  name: 'ctl',
  describe: (s) => ({
    measure: `${s.ctl.programs} programs RUNNING; median of ${s.ctl.repeats} (after 1 warm-up): the CLI's one-shot status as a process (taskmasterctl status, supervisorctl status, pm2 status), and from a connected-per-call raw client: connect + greet + status + close (taskmaster NDJSON hello+status; supervisord XML-RPC getAPIVersion+getAllProcessInfo over HTTP on its Unix socket; PM2 axon RPC getVersion+getMonitorData with PM2's own axon modules)`,
    limit: '`node -e 0` (the same node); connect + 2 echoed request lines + close on a bare Node Unix-socket echo server',
    settings: s.ctl,
  }),
  metrics: [
    { key: 'cli_ms', label: 'one-shot CLI status', unit: 'ms', digits: 1, ratioTo: 'limit', target: { text: '≤ 1.1× node -e 0', on: 'ratio', ok: (r) => r <= 1.1 } },
    { key: 'rtt_ms', label: 'socket connect+greet+status', unit: 'ms', digits: 2, ratioTo: 'limit', target: { text: '≤ 1 ms', on: 'value', ok: (v) => v <= 1 } },
  ],
  measure: (sup, ctx) => {
    const { programs, starttime_s, repeats } = ctx.settings.ctl;
    return withRunning(sup, ctx, [sleepers(ctx, programs, starttime_s)], async (d) => {
      const cli = d.statusCli();
      const cli_ms = await timeIt(repeats, async () => void (await runOk(cli.argv, { env: cli.env })));
      const rtt_ms = await timeIt(repeats, async () => {
        const c = await d.connect();
        const st = await c.status();
        c.close();
        if (st.length !== programs) throw new Error(`status listed ${st.length} processes, not ${programs}`);
      });
      return { cli_ms, rtt_ms };
    });
  },
  async limit(ctx) {
    const { repeats } = ctx.settings.ctl;
    const cli_ms = await timeIt(repeats, async () => void (await run([process.execPath, '-e', '0'])));
    const echo = await startEchoServer(ctx.dir);
    try {
      const rtt_ms = await timeIt(repeats, async () => {
        const c = await echoConnect(echo.socket);
        await c.roundTrip(HELLO);
        await c.roundTrip(STATUS);
        c.close();
      });
      return { cli_ms, rtt_ms };
    } finally {
      await echo.stop();
    }
  },
};
