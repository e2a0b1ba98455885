// idle: with the programs RUNNING and no client, the CPU the daemon uses
// (utime+stime of all its threads and helper processes) over a window, and
// at its end the memory they hold: USS, PSS and the anonymous part (what each
// counts: lib/proc.ts memoryMiB), RSS for information. No limit and no
// target: compared with supervisord.
import { cpuSeconds, daemonTree, memoryMiB } from '../lib/proc';
import { sleep } from '../lib/time';
import { sleepers, withRunning } from './common';
import type { Workload } from './types';

export const idle: Workload = {
  name: 'idle',
  describe: (s) => ({
    measure: `${s.idle.programs} programs \`sleep 1000\` RUNNING, no client connected, ${s.idle.settle_s} s to settle, then ${s.idle.seconds} s: CPU (utime+stime from /proc of the daemon, all its threads and helper processes), then their memory from /proc/PID/smaps_rollup summed: USS (Private_Clean+Private_Dirty), PSS (Pss), anonymous (Pss_Anon), and RSS for information`,
    limit: 'none (compared with supervisord)',
    settings: s.idle,
  }),
  metrics: [
    { key: 'cpu_ms', label: 'CPU over the idle window', unit: 'ms', digits: 0, ratioTo: 'supervisord', target: { text: '< supervisord', on: 'ratio', ok: (r) => r < 1 } },
    { key: 'uss_mib', label: 'USS (daemon + helpers)', unit: 'MiB', digits: 1, ratioTo: 'supervisord' },
    { key: 'pss_mib', label: 'PSS (daemon + helpers)', unit: 'MiB', digits: 1, ratioTo: 'supervisord' },
    { key: 'anon_mib', label: 'anonymous, Pss_Anon (heap, stacks)', unit: 'MiB', digits: 1, ratioTo: 'supervisord' },
    { key: 'rss_mib', label: 'RSS, for information', unit: 'MiB', digits: 1 },
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
      const mem = memoryMiB(after);
      return { cpu_ms: used * 1000, uss_mib: mem.uss, pss_mib: mem.pss, anon_mib: mem.anon, rss_mib: mem.rss, procs: after.length };
    });
  },
  limit: async () => ({}),
};
