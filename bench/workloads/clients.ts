// clients: concurrent status loops on the daemon's socket, each on its own
// greeted connection, for a fixed time: answers per second, and failures
// (an error, no answer within the timeout, or a wrong process count). Limit:
// the same loops on a bare echo server, echoing a status request line.
import { nowS } from '../lib/time';
import { echoConnect, startEchoServer } from '../limits/echo';
import { sleepers, withRunning } from './common';
import type { Sample, Workload } from './types';

const STATUS = '{"id":2,"cmd":"status","names":[]}\n';

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

/** Runs `loops` loops of `once` until `seconds` have passed; a failed loop reconnects. */
async function loops(count: number, seconds: number, connect: () => Promise<{ once: () => Promise<boolean>; close: () => void }>): Promise<Sample> {
  let ok = 0;
  let failures = 0;
  const t0 = nowS();
  const end = t0 + seconds;
  await Promise.all(
    Array.from({ length: count }, async () => {
      while (nowS() < end) {
        let conn;
        try {
          conn = await connect();
          while (nowS() < end) {
            if (await conn.once()) ok++;
            else failures++;
          }
        } catch {
          failures++;
        } finally {
          conn?.close();
        }
      }
    }),
  );
  return { req_per_s: ok / (nowS() - t0), failures };
}

export const clients: Workload = {
  name: 'clients',
  describe: (s) => ({
    measure: `${s.clients.programs} programs RUNNING; ${s.clients.loops} concurrent loops for ${s.clients.seconds} s, each on its own greeted socket connection sending status and awaiting the answer before the next; failure = error, no answer in ${s.clients.timeout_ms} ms, or not ${s.clients.programs} processes listed`,
    limit: `the same loops on a bare Node Unix-socket echo server, echoing a status request line`,
    settings: s.clients,
  }),
  metrics: [
    { key: 'req_per_s', label: 'status answers/s', unit: '/s', digits: 0, ratioTo: 'limit', target: { text: '≥ 2000/s', on: 'value', ok: (v) => v >= 2000 } },
    { key: 'failures', label: 'failed requests', unit: '', digits: 0, each: true, target: { text: '0 in every run', on: 'value', ok: (v) => v === 0, worst: true } },
  ],
  measure: (sup, ctx) => {
    const { programs, starttime_s, loops: n, seconds, timeout_ms } = ctx.settings.clients;
    return withRunning(sup, ctx, [sleepers(ctx, programs, starttime_s)], (d) =>
      loops(n, seconds, async () => {
        const c = await d.connect();
        return { once: async () => (await withTimeout(c.status(), timeout_ms)).length === programs, close: c.close };
      }),
    );
  },
  async limit(ctx) {
    const { loops: n, seconds, timeout_ms } = ctx.settings.clients;
    const echo = await startEchoServer(ctx.dir);
    try {
      return await loops(n, seconds, async () => {
        const c = await echoConnect(echo.socket);
        return { once: async () => (await withTimeout(c.roundTrip(STATUS), timeout_ms), true), close: c.close };
      });
    } finally {
      await echo.stop();
    }
  },
};
