// `make bench` / `make bench-smoke`: runs every workload on taskmaster,
// supervisord and PM2 and on its limit, run after run (each run measures all
// of them, so ratios are taken within a run), then prints the table and
// writes RESULTS/<date>.json and RESULTS/latest.md.
//   node build/bench/main.js [--smoke] [--runs N] [--only spawn,logs] [--supervisors taskmaster,pm2] [--out DIR]
import './lib/cleanup';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compileTools } from './lib/cc';
import { BENCH_SRC } from './lib/paths';
import { nowS } from './lib/time';
import { table } from './report';
import { type Samples, type WorkloadResult, workloadResult } from './results';
import { FULL, SMOKE } from './settings';
import { pm2 } from './supervisors/pm2';
import { supervisord } from './supervisors/supervisord';
import { snapshotTaskmaster, taskmaster } from './supervisors/taskmaster';
import type { Supervisor } from './supervisors/types';
import { clients } from './workloads/clients';
import { ctl } from './workloads/ctl';
import { idle } from './workloads/idle';
import { logs } from './workloads/logs';
import { remote } from './workloads/remote';
import { restart } from './workloads/restart';
import { spawn } from './workloads/spawn';
import type { Ctx, Sample, Workload } from './workloads/types';

const ALL_WORKLOADS = [spawn, idle, ctl, clients, logs, restart, remote];
const ALL_SUPERVISORS = [taskmaster, supervisord, pm2];

const { values: args } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    runs: { type: 'string' },
    only: { type: 'string' },
    supervisors: { type: 'string' },
    out: { type: 'string' },
  },
});
const settings = structuredClone(args.smoke ? SMOKE : FULL);
if (args.runs) settings.runs = Number(args.runs);
const workloads = args.only ? ALL_WORKLOADS.filter((w) => args.only!.split(',').includes(w.name)) : ALL_WORKLOADS;
// The smoke run is taskmaster and the limits only: it must pass where neither supervisord nor PM2 is installed.
const wanted = args.supervisors ? args.supervisors.split(',') : args.smoke ? ['taskmaster'] : ALL_SUPERVISORS.map((s) => s.name);
const outDir = args.out ?? (args.smoke ? join(tmpdir(), 'taskmaster-bench-smoke') : join(BENCH_SRC, 'results'));

const log = (line: string): void => void process.stderr.write(line + '\n');
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
  const sleepBin = execFileSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).trim();
  const notes = new Set<string>();
  const samples: Record<string, Samples> = {};
  const errors: Record<string, string[]> = {};

  const once = async (w: Workload, who: string, runIt: (ctx: Ctx) => Promise<Sample>, run: number): Promise<Sample | null> => {
    const dir = mkdtempSync(join(work, `${w.name}-${who}-`));
    const t = nowS();
    try {
      const s = await runIt({ dir, tools, settings, sleepBin, note: (n) => notes.add(n) });
      log(`[run ${run + 1}/${settings.runs}] ${title(w)} ${who}: ${show(s)} (${(nowS() - t).toFixed(1)} s)`);
      return s;
    } catch (err) {
      const msg = `run ${run + 1}, ${who}: ${(err as Error).message}`;
      log(`[run ${run + 1}/${settings.runs}] ${title(w)} ${who}: FAILED ${(err as Error).message}`);
      (errors[w.name] ??= []).push(msg);
      return null;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  for (let run = 0; run < settings.runs; run++) {
    for (const w of workloads) {
      const byCol = (samples[w.name] ??= {});
      for (const s of supervisors.filter((s) => !w.supervisors || w.supervisors.includes(s.name))) (byCol[s.name] ??= []).push(await once(w, s.name, (ctx) => w.measure(s, ctx), run));
      if (w.name !== 'idle') (byCol.limit ??= []).push(await once(w, 'limit', (ctx) => w.limit(ctx), run));
    }
  }
  rmSync(work, { recursive: true, force: true });

  const results: Record<string, WorkloadResult> = {};
  for (const w of workloads) results[w.name] = workloadResult(w, w.describe(settings), samples[w.name]!, settings.runs, errors[w.name] ?? []);
  const duration_s = nowS() - t0;
  const date = new Date().toISOString().replace(/:/g, '-').replace(/\..*/, '');
  const versions: Record<string, string> = { node: process.version };
  for (const s of supervisors) versions[s.name] = s.version();
  const host = { cpus: cpus().length, cpu: cpus()[0]?.model ?? '', kernel: release(), mem_gib: Math.round(totalmem() / 2 ** 30) };
  const doc = { date, smoke: settings.smoke, duration_s, host, versions, skipped, settings, workloads: results, notes: [...notes] };

  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, `${date}.json`), JSON.stringify(doc, null, 2) + '\n');
  const tbl = table(workloads, results, title);
  const md = [
    `# Benchmark ${date}${settings.smoke ? ' (smoke)' : ''}`,
    '',
    `${host.cpus} × ${host.cpu}, ${host.mem_gib} GiB, Linux ${host.kernel}; ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}; ` +
      `${settings.runs} run(s), medians with (min–max); ratios are taken within each run, then their median; took ${duration_s.toFixed(0)} s.`,
    '',
    tbl,
    '## What was measured',
    '',
    ...workloads.map((w) => `- **${title(w)}**: ${results[w.name]!.measure}. Limit: ${results[w.name]!.limit}. Settings: \`${JSON.stringify(results[w.name]!.settings)}\`.`),
    `- Every supervisor: the same programs and settings; stoptime ${settings.stoptime_s} s; default child logs; its own log in a file; loglevel info.`,
    ...[...notes].map((n) => `- Note: ${n}`),
    ...Object.entries(skipped).map(([k, v]) => `- Skipped ${k}: ${v}`),
    ...Object.values(errors).flat().map((e) => `- Error: ${e}`),
    '',
  ].join('\n');
  writeFileSync(join(outDir, 'latest.md'), md);
  process.stdout.write(`\n${tbl}\n`);
  for (const e of Object.values(errors).flat()) process.stdout.write(`error: ${e}\n`);
  process.stdout.write(`results: ${join(outDir, `${date}.json`)} and latest.md (${duration_s.toFixed(0)} s)\n`);
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    log(`bench: ${err.stack ?? err.message}`);
    process.exit(1);
  },
);
