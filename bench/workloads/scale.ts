// scale: the same steps at 100 to 10,000 programs (one process each), so the
// cost of one more program shows: start → all started (the external
// observer) and → all RUNNING by the supervisor's status, one status round
// trip of all programs, a status of one among N, a reload that changes one
// program, the daemon's private memory, and stop all. Then the slope of start
// time and memory over N. Limit: the C posix_spawn and kill+reap loop at each
// size. A size that fails or misses its deadline is reported in the notes and
// leaves its cells empty; a supervisor is not tried at larger sizes after it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { slope } from '../lib/fit';
import { hardNofile, limitsNote } from '../lib/limits';
import { Observer } from '../lib/observer';
import { daemonTree, killAll, memoryMiB, openFds } from '../lib/proc';
import { runOk } from '../lib/run';
import { median } from '../lib/stats';
import { nowNs, waitFor } from '../lib/time';
import type { ScaleSettings } from '../settings';
import { connectWhenUp } from '../supervisors/launch';
import type { ProgramSpec, RawClient, Supervisor } from '../supervisors/types';
import { untilAllRunning } from './common';
import type { Ctx, Metric, Sample, Workload } from './types';
import { limitWave } from './wave';

/** The size the §4 targets are set at. */
const TARGET_SIZE = 10_000;

const deadlineMs = (s: ScaleSettings, n: number): number => (s.deadline_s.base + (s.deadline_s.per_1000 * n) / 1000) * 1000;
/** The sample key of a metric at one size. */
export const key = (metric: string, n: number): string => `${metric}@${n}`;
const seconds = (from: bigint, to: bigint): number => Number(to - from) / 1e9;

/** Programs p0…p(n-1), each one upstamp stamping its own name. */
const programs = (ctx: Ctx, obs: Observer, n: number): ProgramSpec[] =>
  Array.from({ length: n }, (_, i) => ({
    name: `p${i}`,
    argv: [ctx.tools.upstamp, obs.fifo, `p${i}`],
    numprocs: 1,
    starttime: ctx.settings.scale.starttime_s,
    autorestart: true,
  }));

/** The wanted RLIMIT_NOFILE, or the bench's own hard limit where that is lower (raising it needs CAP_SYS_RESOURCE). */
function nofileFor(ctx: Ctx): number {
  const wanted = ctx.settings.scale.nofile;
  const hard = hardNofile();
  if (hard < wanted) ctx.note(`scale: RLIMIT_NOFILE ${hard}, not ${wanted}: the bench's own hard limit, which it cannot raise here`);
  ctx.note(`scale: ${limitsNote(Math.min(wanted, hard))}`);
  return Math.min(wanted, hard);
}

/**
 * `step`, or an error once `ms` have passed: a daemon busy starting thousands
 * of programs may not answer a connection or a request at all, and a probe
 * that never returns would never reach its own deadline.
 */
function within<T>(what: string, ms: number, step: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([step, late]).finally(() => clearTimeout(timer));
}

async function timedMedianMs(repeats: number, call: () => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = nowNs();
    await call();
    ms.push(Number(nowNs() - t) / 1e6);
  }
  return median(ms);
}

/** Every step at one size, and the descriptors the daemon held with all running; throws on the first step that fails or misses its deadline. */
async function measureSize(sup: Supervisor, ctx: Ctx, n: number, dir: string): Promise<{ sample: Sample; fds: number }> {
  const s = ctx.settings.scale;
  const deadline = deadlineMs(s, n);
  const obs = new Observer(join(dir, 'started.fifo'));
  const specs = programs(ctx, obs, n);
  const t0 = nowNs();
  const d = sup.launch(dir, specs, { nofile: nofileFor(ctx) });
  let c: RawClient | undefined;
  try {
    // One deadline from launch to all running: a daemon slow to answer its socket has that much less.
    const startBy = Date.now() + deadline;
    const left = (): number => Math.max(1, startBy - Date.now());
    c = await within('connect', left(), connectWhenUp(d, left()));
    const client = c;
    const [lastExec, tRunning] = await Promise.all([
      obs.allStarted(n, left()),
      within('all RUNNING by status', left(), untilAllRunning(client, n, 100, left()).then(() => nowNs())),
    ]).catch((err: Error) => {
      throw new Error(`${err.message}; ${obs.starts} of ${n} programs had started`);
    });
    const out: Sample = {
      [key('start_s', n)]: seconds(t0, lastExec),
      [key('running_s', n)]: seconds(t0, tRunning) - (sup.name.startsWith('pm2') ? 0 : s.starttime_s),
    };
    const status = await within('status', deadline, timedMedianMs(s.repeats, () => client.status()));
    out[key('status_ms', n)] = status;
    if (n === TARGET_SIZE) out[key('status_vs_ms', n)] = status;
    const mid = `p${n >> 1}`;
    out[key('one_ms', n)] = await within('status of one', deadline, timedMedianMs(s.repeats, () => client.statusOne(mid)));

    const before = await within('status', deadline, client.status());
    const pids = new Map(before.map((p) => [p.name, p.pid]));
    const tree = daemonTree(await d.pid(), [...pids.values()].filter((p): p is number => p !== null));
    out[key('uss_mib', n)] = memoryMiB(tree).uss;
    const fds = openFds(tree);

    // The changed program keeps its name and gets a new command (a new stamp id), the rest is the same config.
    const changedId = `${mid}.v2`;
    const next = specs.map((p) => (p.name === mid ? { ...p, argv: [ctx.tools.upstamp, obs.fifo, changedId] } : p));
    const tReload = nowNs();
    const [stamp] = await Promise.all([obs.startedAfter(changedId, tReload, deadline), d.reload(next, mid)]);
    out[key('reload_s', n)] = seconds(tReload, stamp.ns);
    const after = await within('status', deadline, client.status());
    out[key('reload_others', n)] = after.filter((p) => p.name !== mid && (!p.running || p.pid !== pids.get(p.name))).length;

    const cli = d.stopAllCli();
    obs.release();
    const tStop = nowNs();
    await Promise.all([runOk(cli.argv, { env: cli.env, timeoutMs: deadline }), obs.allExited(deadline)]);
    await within('status all stopped', deadline, waitFor('status all stopped', deadline, 20, async () => ((await client.status()).every((p) => p.stopped) ? true : undefined)));
    out[key('stop_s', n)] = seconds(tStop, nowNs());
    out[key('observer_ms', n)] = Number(obs.cpuNs) / 1e6;
    return { sample: out, fds };
  } finally {
    c?.close();
    await d.shutdown();
    // Programs the daemon started but never reported (it did not answer in time) are orphans once it is killed.
    killAll(obs.survivors());
    obs.close();
  }
}

/** The slopes over the sizes this sample has: µs to start one more program, KiB to keep it. */
function marginal(sample: Sample, sizes: number[]): Sample {
  const points = (metric: string, scale: number): [number, number][] =>
    sizes.map((n) => [n, (sample[key(metric, n)] ?? NaN) * scale]);
  const out: Sample = { start_us: slope(points('start_s', 1e6)) };
  if (sizes.some((n) => sample[key('uss_mib', n)] !== undefined)) out.uss_kib = slope(points('uss_mib', 1024));
  return out;
}

const sizesOf = (ctx: Ctx): number[] => [...ctx.settings.scale.sizes].sort((a, b) => a - b);

function scaleMetrics(sizes: number[]): Metric[] {
  const at = (n: number): string => `${n.toLocaleString('en-US')} programs: `;
  const rows = (metric: string, label: string, unit: string, digits: number, ratioTo: Metric['ratioTo'], target?: Metric['target']): Metric[] =>
    sizes.map((n) => ({ key: key(metric, n), label: at(n) + label, unit, digits, ratioTo, ...(n === TARGET_SIZE && target ? { target } : {}) }));
  return [
    ...rows('start_s', "start → all exec'd (observer)", 's', 3, 'limit', { text: '≤ 2× limit', on: 'ratio', ok: (r) => r <= 2 }),
    ...rows('running_s', 'start → RUNNING by its status (−starttime)', 's', 3, 'limit'),
    ...rows('status_ms', 'status round trip, all', 'ms', 2, 'supervisord', { text: '≤ 20 ms', on: 'value', ok: (v) => v <= 20 }),
    ...(sizes.includes(TARGET_SIZE)
      ? [{ key: key('status_vs_ms', TARGET_SIZE), label: `${at(TARGET_SIZE)}status round trip, against supervisord`, unit: 'ms', digits: 2, ratioTo: 'supervisord' as const, target: { text: '≤ 0.1× supervisord', on: 'ratio' as const, ok: (r: number) => r <= 0.1 } }]
      : []),
    ...rows('one_ms', 'status of one program', 'ms', 2, 'supervisord'),
    ...rows('reload_s', 'reload changing one → it is exec\'d', 's', 3, 'supervisord'),
    ...rows('reload_others', 'reload: other programs restarted', '', 0, undefined, { text: '0', on: 'value', ok: (v) => v === 0 }),
    ...rows('uss_mib', 'USS (daemon + helpers)', 'MiB', 1, 'supervisord'),
    ...rows('stop_s', 'stop all (CLI) → all exited, status stopped', 's', 3, 'limit', { text: '≤ 3× limit', on: 'ratio', ok: (r) => r <= 3 }),
    ...rows('observer_ms', "the observer's own time in the bench", 'ms', 1, undefined),
    { key: 'start_us', label: 'marginal start, µs per program (slope)', unit: 'µs', digits: 1, ratioTo: 'limit' },
    { key: 'uss_kib', label: 'marginal USS, KiB per program (slope)', unit: 'KiB', digits: 1, ratioTo: 'supervisord', target: { text: '≤ supervisord', on: 'ratio', ok: (r) => r <= 1 } },
  ];
}

/** The scale workload for these sizes (`--sizes`): its rows depend on them. */
export function scaleWorkload(sizes: number[]): Workload {
  const sorted = [...sizes].sort((a, b) => a - b);
  return {
    name: 'scale',
    describe: (s) => ({
      measure: `at ${sorted.join(', ')} programs (each one process of limits/upstamp.c, stamping its exec into the external observer's FIFO), every daemon under RLIMIT_NOFILE ${s.scale.nofile} (or the bench's own hard limit where lower: see the notes, with the other limits that apply): daemon launch → the last program's stamp; → all RUNNING by its status polled every 100 ms (starttime ${s.scale.starttime_s} s subtracted; PM2: online); the median of ${s.scale.repeats} status round trips of all programs on one connection, and of ${s.scale.repeats} of one program (PM2 has no such call: the whole list, filtered, as \`pm2 describe\` does); USS of the daemon and its helpers (as idle measures it); a reload after changing one program's command (taskmasterctl reload; supervisorctl update; PM2: startOrRestart of the file --only that app), timed to its new exec, and how many others did not keep their pid; the CLI's stop all → every program exited (the FIFO at end-of-file) and status all stopped. Each step's deadline: ${s.scale.deadline_s.base} s + ${s.scale.deadline_s.per_1000} s per 1,000 programs; PM2 only up to ${s.scale.pm2_max}. ${s.scale.runs} run(s) of this workload, whatever the bench's runs. Marginal costs: least-squares slopes over the sizes`,
      limit: 'at each size, the C posix_spawn loop of the same program, from before its first spawn to the last stamp, then SIGTERM + waitpid of all',
      settings: { ...s.scale, sizes: sorted },
    }),
    metrics: scaleMetrics(sorted),
    async measure(sup, ctx) {
      const out: Sample = {};
      const nofile = Math.min(ctx.settings.scale.nofile, hardNofile());
      let perProgram = 0;
      let countedAt = 0;
      for (const n of sorted) {
        // A size whose descriptors cannot fit under the fd limit is said, not
        // timed out: the daemon would stop starting programs at the limit and
        // the step would only wait for its deadline.
        if (perProgram * n > nofile) {
          ctx.note(`scale: ${sup.name} not run at ${n} programs: it held ${perProgram.toFixed(1)} descriptors per program at ${countedAt}, so about ${Math.round(perProgram * n)} at ${n}, over RLIMIT_NOFILE ${nofile}`);
          break;
        }
        if (sup.name.startsWith('pm2') && n > ctx.settings.scale.pm2_max) {
          ctx.note(`scale: ${sup.name} not run at ${n} programs (settings.scale.pm2_max ${ctx.settings.scale.pm2_max}: with its defaults, stopping 500 apps already takes about 30 s)`);
          break;
        }
        const dir = join(ctx.dir, `n${n}`);
        mkdirSync(dir);
        try {
          const { sample, fds } = await measureSize(sup, ctx, n, dir);
          Object.assign(out, sample);
          perProgram = fds / n;
          countedAt = n;
        } catch (err) {
          const why = `scale: ${sup.name} at ${n} programs failed, so not run at larger sizes: ${(err as Error).message}`;
          process.stderr.write(`${why}\n`);
          ctx.note(why);
          break;
        }
      }
      return { ...out, ...marginal(out, sorted) };
    },
    async limit(ctx) {
      const out: Sample = {};
      for (const n of sizesOf(ctx)) {
        const r = await limitWave(ctx, n, deadlineMs(ctx.settings.scale, n));
        out[key('start_s', n)] = r.start_s;
        out[key('running_s', n)] = r.start_s;
        out[key('stop_s', n)] = r.stop_s;
      }
      return { ...out, ...marginal(out, sizesOf(ctx)) };
    },
  };
}
