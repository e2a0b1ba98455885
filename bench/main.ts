// `make bench` / `make bench-smoke`: runs every workload on taskmaster,
// supervisord, PM2 (defaults and tuned) and on its limit, run after run (each
// run measures all of them, so ratios are taken within a run; the order
// rotates from run to run), then prints the table and writes
// RESULTS/<date>.json and RESULTS/latest.md.
//   node build/bench/main.js [--smoke] [--runs N] [--only spawn,logs] [--supervisors taskmaster,pm2] [--out DIR] [--sizes 100,1000]
import './lib/cleanup';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compileTools } from './lib/cc';
import { BENCH_SRC } from './lib/paths';
import { nowS } from './lib/time';
import { failures, table } from './report';
import { type Column, type SampleError, type Samples, type WorkloadResult, workloadResult } from './results';
import { runOrder } from './lib/stats';
import { FULL, SMOKE } from './settings';
import { pm2, pm2Tuned, snapshotNode } from './supervisors/pm2';
import { supervisord } from './supervisors/supervisord';
import { snapshotTaskmaster, taskmaster } from './supervisors/taskmaster';
import type { Supervisor } from './supervisors/types';
import { clients } from './workloads/clients';
import { ctl } from './workloads/ctl';
import { idle } from './workloads/idle';
import { logs } from './workloads/logs';
import { remote } from './workloads/remote';
import { restart } from './workloads/restart';
import { scaleWorkload } from './workloads/scale';
import { writeScaleChart } from './workloads/scale-chart';
import { spawn } from './workloads/spawn';
import type { Ctx, Sample, Workload } from './workloads/types';

const ALL_WORKLOADS = [spawn, idle, ctl, clients, logs, restart, remote];
const ALL_SUPERVISORS = [taskmaster, supervisord, pm2, pm2Tuned];

const { values: args } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    runs: { type: 'string' },
    only: { type: 'string' },
    supervisors: { type: 'string' },
    out: { type: 'string' },
    sizes: { type: 'string' },
  },
});
const settings = structuredClone(args.smoke ? SMOKE : FULL);
if (args.runs) settings.runs = Number(args.runs);
if (args.sizes) settings.scale.sizes = args.sizes.split(',').map(Number);
if (!settings.scale.sizes.every((n) => Number.isInteger(n) && n > 0)) throw new Error(`--sizes: positive integers, comma-separated, not ${args.sizes}`);
// scale's rows depend on its sizes.
const EVERY_WORKLOAD = [...ALL_WORKLOADS, scaleWorkload(settings.scale.sizes)];
const workloads = args.only ? EVERY_WORKLOAD.filter((w) => args.only!.split(',').includes(w.name)) : EVERY_WORKLOAD;
// The smoke run is taskmaster and the limits only: it must pass where neither supervisord nor PM2 is installed.
const wanted = args.supervisors ? args.supervisors.split(',') : args.smoke ? ['taskmaster'] : ALL_SUPERVISORS.map((s) => s.name);
const outDir = args.out ?? (args.smoke ? join(tmpdir(), 'taskmaster-bench-smoke') : join(BENCH_SRC, 'results'));

const log = (line: string): void => void process.stderr.write(line + '\n');
// scale runs fewer times than the rest (settings.scale.runs): its 10,000 programs would not fit the bench's time three times over.
const runsOf = (w: Workload): number => (w.name === 'scale' ? Math.min(settings.scale.runs, settings.runs) : settings.runs);
const title = (w: Workload): string => (w.name === 'spawn' ? `spawn-${settings.spawn.programs}` : w.name);
const show = (s: Sample): string => Object.entries(s).map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toPrecision(4)}`).join(' ');

async function main(): Promise<void> {
  const t0 = nowS();
  const skipped: Record<string, string> = {};
  const supervisors: Supervisor[] = [];
  for (const s of ALL_SUPERVISORS.filter((s) => wanted.includes(s.name))) {
    const why = s.missing();
    if (why) skipped[s.name] = why;
    else supervisors.push(s);
  }
  if (!supervisors.includes(taskmaster)) throw new Error(`taskmaster cannot run: ${skipped.taskmaster ?? 'not selected'}`);
  for (const [name, why] of Object.entries(skipped)) log(`skipping ${name}: ${why}`);

  const work = mkdtempSync(join(tmpdir(), 'tm-bench-'));
  // The remote workload's gateway runs as an unprivileged user and execs the snapshot in work/bin; each run's own dir stays 0700.
  chmodSync(work, 0o711);
  const tools = compileTools(work);
  snapshotTaskmaster(join(work, 'bin'));
  if (supervisors.some((s) => s.name.startsWith('pm2'))) snapshotNode(join(work, 'bin'));
  const sleepBin = execFileSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).trim();
  const notes = new Set<string>();
  const samples: Record<string, Samples> = {};
  const errors: Record<string, SampleError[]> = {};

  const once = async (w: Workload, who: Column, runIt: (ctx: Ctx) => Promise<Sample>, run: number): Promise<Sample | null> => {
    const dir = mkdtempSync(join(work, `${w.name}-${who}-`));
    const t = nowS();
    const fail = (error: string): void => {
      log(`[run ${run + 1}/${settings.runs}] ${title(w)} ${who}: FAILED ${error}`);
      (errors[w.name] ??= []).push({ run: run + 1, column: who, error });
    };
    try {
      const s = await runIt({ dir, tools, settings, sleepBin, run, note: (n) => notes.add(n), fail });
      log(`[run ${run + 1}/${settings.runs}] ${title(w)} ${who}: ${show(s)} (${(nowS() - t).toFixed(1)} s)`);
      return s;
    } catch (err) {
      fail((err as Error).message);
      return null;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  // One window for every supervisor and the limit (Workload.together); each column's sample or failure is its own.
  const together = async (w: Workload, sups: Supervisor[], run: number, byCol: Samples): Promise<void> => {
    const dir = mkdtempSync(join(work, `${w.name}-`));
    const t = nowS();
    const cols: (Supervisor | 'limit')[] = [...sups, 'limit'];
    let got: Map<Supervisor | 'limit', Sample | Error>;
    try {
      got = await w.together!(sups, { dir, tools, settings, sleepBin, run, note: (n) => notes.add(n), fail: (e) => log(`${title(w)}: ${e}`) });
    } catch (err) {
      got = new Map(cols.map((c) => [c, err as Error]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    for (const c of cols) {
      const name: Column = c === 'limit' ? 'limit' : c.name;
      const r = got.get(c) ?? new Error('not measured');
      const head = `[run ${run + 1}/${settings.runs}] ${title(w)} ${name}`;
      if (r instanceof Error) {
        log(`${head}: FAILED ${r.message}`);
        (errors[w.name] ??= []).push({ run: run + 1, column: name, error: r.message });
      } else log(`${head}: ${show(r)} (one window for all, ${(nowS() - t).toFixed(1)} s)`);
      (byCol[name] ??= []).push(r instanceof Error ? null : r);
    }
  };

  for (let run = 0; run < settings.runs; run++) {
    for (const w of workloads) {
      if (run >= runsOf(w)) continue;
      const byCol = (samples[w.name] ??= {});
      const own = supervisors.filter((s) => !w.supervisors || w.supervisors.includes(s.name));
      if (w.together) {
        await together(w, runOrder(own, run), run, byCol);
        continue;
      }
      const cols: (Supervisor | 'limit')[] = [...own, 'limit'];
      for (const c of runOrder(cols, run)) {
        const sample = c === 'limit' ? await once(w, 'limit', (ctx) => w.limit(ctx), run) : await once(w, c.name, (ctx) => w.measure(c, ctx), run);
        (byCol[c === 'limit' ? 'limit' : c.name] ??= []).push(sample);
      }
    }
  }
  rmSync(work, { recursive: true, force: true });

  const results: Record<string, WorkloadResult> = {};
  for (const w of workloads) results[w.name] = workloadResult(w, w.describe(settings), samples[w.name]!, runsOf(w), errors[w.name] ?? []);
  const duration_s = nowS() - t0;
  const date = new Date().toISOString().replace(/:/g, '-').replace(/\..*/, '');
  const versions: Record<string, string> = { node: process.version };
  for (const s of supervisors) versions[s.name] = s.version();
  const host = { cpus: cpus().length, cpu: cpus()[0]?.model ?? '', kernel: release(), mem_gib: Math.round(totalmem() / 2 ** 30) };
  const doc = { date, smoke: settings.smoke, duration_s, host, versions, skipped, settings, workloads: results, notes: [...notes] };

  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, `${date}.json`), JSON.stringify(doc, null, 2) + '\n');
  const chart = results.scale ? writeScaleChart(outDir, date, results.scale, settings.scale.sizes) : null;
  const tbl = table(workloads, results, title);
  const failed = failures(workloads, results, title);
  const md = [
    `# Benchmark ${date}${settings.smoke ? ' (smoke)' : ''}`,
    '',
    `${host.cpus} × ${host.cpu}, ${host.mem_gib} GiB, Linux ${host.kernel}; ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}; ` +
      `${settings.runs} run(s), the columns in a rotated order each run; medians with (min–max) and the count of samples each is of (n/runs: fewer is a failed sample, listed below the table); ratios are taken within each run, then their median; took ${duration_s.toFixed(0)} s.`,
    '',
    tbl,
    ...(failed.length ? ['## Failed samples', '', ...failed, ''] : []),
    '## What was measured',
    '',
    ...workloads.map((w) => `- **${title(w)}**: ${results[w.name]!.measure}. Limit: ${results[w.name]!.limit}. Settings: \`${JSON.stringify(results[w.name]!.settings)}\`.`),
    `- Every supervisor: the same programs and settings; stoptime ${settings.stoptime_s} s; default child logs; its own log in a file; loglevel info.`,
    '- PM2: its defaults (treekill, which lists processes with `ps` before each stop; two actions at a time: PM2_CONCURRENT_ACTIONS 2). PM2 tuned: `treekill: false` (`--no-treekill`) and PM2_CONCURRENT_ACTIONS=10 (the parallelism PM2 uses for its own bulk delete), for its daemon and CLI. Both run on a copy of node no other process runs, as taskmaster runs on its own executable.',
    '- Order: the columns run in an order rotated by one each run (run 1: taskmaster, supervisord, PM2, PM2 tuned, limit; run 2 from supervisord; …).',
    ...[...notes].map((n) => `- Note: ${n}`),
    ...Object.entries(skipped).map(([k, v]) => `- Skipped ${k}: ${v}`),
    '',
  ].join('\n');
  writeFileSync(join(outDir, 'latest.md'), md);
  process.stdout.write(`\n${tbl}\n`);
  for (const f of failed) process.stdout.write(`failed: ${f.slice(2)}\n`);
  process.stdout.write(`results: ${join(outDir, `${date}.json`)} and latest.md${chart ? `, chart ${chart}` : ''} (${duration_s.toFixed(0)} s)\n`);
}

// A promise that nothing can settle (a helper process that died before it
// answered) empties the event loop, and node would exit 0 with no table.
let finished = false;
process.on('exit', (code) => {
  if (finished || code !== 0) return;
  log('bench: stopped before the end of the run (a promise nothing settles: a helper process that died before answering?)');
  process.exitCode = 1;
});

main().then(
  () => {
    finished = true;
    process.exit(0);
  },
  (err: Error) => {
    log(`bench: ${err.stack ?? err.message}`);
    process.exit(1);
  },
);
