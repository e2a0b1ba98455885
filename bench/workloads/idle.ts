// idle: with the programs RUNNING and no client, the CPU the daemon uses
// (utime+stime of all its threads and helper processes) over a window, and
// its RSS at the end (and the anonymous part of it). No limit: compared with supervisord.
import { cpuSeconds, daemonTree, rssMiB } from '../lib/proc';
import { sleep } from '../lib/time';
import { sleepers, withRunning } from './common';
import type { Workload } from './types';

export const idle: Workload = {
  name: 'idle',
  describe: (s) => ({
    measure: `${s.idle.programs} programs \`sleep 1000\` RUNNING, no client connected, ${s.idle.settle_s} s to settle, then ${s.idle.seconds} s: CPU (utime+stime from /proc of the daemon, all its threads and helper processes) and RSS at the end, all of it and its anonymous part`,
    limit: 'none (compared with supervisord)',
    settings: s.idle,
  }),
  metrics: [
    { key: 'cpu_ms', label: 'CPU over the idle window', unit: 'ms', digits: 0, ratioTo: 'supervisord', target: { text: '< supervisord', on: 'ratio', ok: (r) => r < 1 } },
    { key: 'rss_mib', label: 'RSS (daemon + helpers)', unit: 'MiB', digits: 1, target: { text: '≤ 45 MB', on: 'value', ok: (v) => v <= 45 } },
    { key: 'anon_mib', label: 'of which anonymous (heap, stacks)', unit: 'MiB', digits: 1 },
    { key: 'procs', label: 'daemon processes (1 + helpers)', unit: '', digits: 0 },
  ],
  measure: (sup, ctx) => {
    const { programs, starttime_s, settle_s, seconds } = ctx.settings.idle;
    return withRunning(sup, ctx, [sleepers(ctx, programs, starttime_s)], async (d, procs) => {
      const root = await d.pid();
      const programPids = procs.map((p) => p.pid!).filter(Boolean);
      await sleep(settle_s * 1000);
      const before = new Map(daemonTree(root, programPids).map((p) => [p, cpuSeconds(p)]));
      await sleep(seconds * 1000);
      const after = daemonTree(root, programPids);
      let used = 0;
      for (const p of after) used += cpuSeconds(p) - (before.get(p) ?? 0);
      return { cpu_ms: used * 1000, rss_mib: rssMiB(after), anon_mib: rssMiB(after, 'RssAnon'), procs: after.length };
    });
  },
  limit: async () => ({}),
};
