// Shared pieces of the faults-runtime-*.test.ts files: what /proc says about
// the daemon (CPU, RSS, children), status latency sampled while a fault is
// under way, small child scripts, and the figures file the tests fill in.
//
// Figures are measured and reported, never asserted on: a loaded CI runner
// makes any wall-clock threshold flaky. Assertions are on counts and bytes.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { LineSplitter } from '../../src/protocol/framing';
import { type Daemon, rawRequest, ROOT, sleep } from './harness';
import { PROTOCOL_VERSION } from '../../src/protocol/messages';

export const CI = process.env.CI === 'true';
export const FIGURES_FILE = join(ROOT, 'build/fault-figures.json');

/**
 * Prints `figures` and merges them under `key` into build/fault-figures.json.
 * Test files run in parallel processes, so the read-merge-write is done under
 * a mkdir lock.
 */
export async function reportFigures(key: string, figures: Record<string, unknown>): Promise<void> {
  console.log(`# figures ${key}: ${JSON.stringify(figures)}`);
  mkdirSync(join(ROOT, 'build'), { recursive: true });
  const lock = `${FIGURES_FILE}.lock`;
  for (let i = 0; ; i++) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (i > 400) rmdirSync(lock); // a lock left by a killed run
      await sleep(10);
    }
  }
  try {
    let all: Record<string, unknown> = {};
    try {
      all = JSON.parse(readFileSync(FIGURES_FILE, 'utf8')) as Record<string, unknown>;
    } catch {
      // first writer
    }
    all[key] = { ...figures, at: new Date().toISOString(), ci: CI };
    writeFileSync(`${FIGURES_FILE}.tmp`, `${JSON.stringify(all, null, 2)}\n`);
    renameSync(`${FIGURES_FILE}.tmp`, FIGURES_FILE);
  } finally {
    rmdirSync(lock);
  }
}

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU seconds (user + system) a process has used, from /proc/PID/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which may contain spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat(5); fields[0] is field 3.
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Resident set size in KiB, from /proc/PID/status. */
export function rssKiB(pid: number): number {
  return statusKiB(pid, 'VmRSS');
}

/** Resident anonymous memory in KiB (heap, stacks; no file pages), from /proc/PID/status. */
export function anonKiB(pid: number): number {
  return statusKiB(pid, 'RssAnon');
}

function statusKiB(pid: number, field: string): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
  const kib = Number(line?.split(/\s+/)[1] ?? NaN);
  if (!Number.isFinite(kib)) throw new Error(`no ${field} in /proc/${pid}/status`);
  return kib;
}

function procField(pid: string, field: string): string | null {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
    return line === undefined ? null : line.slice(field.length + 1).trim();
  } catch {
    return null; // gone meanwhile
  }
}

/** Live (not zombie) processes whose parent is `ppid`. */
export function childrenOf(ppid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if (procField(entry, 'PPid') !== String(ppid)) continue;
    const state = procField(entry, 'State');
    if (state !== null && !state.startsWith('Z')) found.push(Number(entry));
  }
  return found.sort((a, b) => a - b);
}

/** Pids of live processes whose command line (joined by spaces) matches. */
export function processesMatching(re: RegExp): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      continue;
    }
    const state = procField(entry, 'State');
    if (re.test(cmdline) && state !== null && !state.startsWith('Z')) found.push(Number(entry));
  }
  return found.sort((a, b) => a - b);
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface LatencyFigures {
  requests: number;
  failures: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
}

export function summarize(ms: number[], failures: number): LatencyFigures {
  const sorted = [...ms].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    requests: ms.length,
    failures,
    p50_ms: round(percentile(sorted, 50)),
    p99_ms: round(percentile(sorted, 99)),
    max_ms: round(sorted[sorted.length - 1] ?? NaN),
  };
}

/**
 * Asks `status` over a fresh connection, one request after the other, until
 * stopped; each latency is a whole client round trip (connect, hello, status).
 */
export function sampleStatusLatency(d: Daemon, pauseMs = 20): { answered: () => number; stop: () => Promise<LatencyFigures> } {
  const ms: number[] = [];
  let failures = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      try {
        const r = await rawRequest(d.socket, { cmd: 'status', names: [] });
        if (r.ok === true) ms.push(performance.now() - t0);
        else failures++;
      } catch {
        failures++;
      }
      await sleep(pauseMs);
    }
  })();
  return {
    answered: () => ms.length,
    stop: async () => {
      running = false;
      await loop;
      return summarize(ms, failures);
    },
  };
}

/** Runs `body` while sampling status latency; the sampling stops whatever happens. */
export async function whileSampling<T>(
  d: Daemon,
  pauseMs: number,
  body: (answered: () => number) => Promise<T>,
): Promise<{ value: T; latency: LatencyFigures }> {
  const sampler = sampleStatusLatency(d, pauseMs);
  try {
    const value = await body(sampler.answered);
    return { value, latency: await sampler.stop() };
  } finally {
    await sampler.stop(); // after a throw: no request loop left behind
  }
}

/**
 * A client on one connection sending `status` after `status` until `until`
 * returns true; the latency of each is recorded in `ms`.
 */
export function statusClient(socket: string, until: () => boolean, ms: number[]): Promise<{ failures: number }> {
  return new Promise((done) => {
    const s = connect(socket);
    const split = new LineSplitter(64 * 1024 * 1024);
    let id = 0;
    let sentAt = 0;
    let failures = 0;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      s.destroy();
      done({ failures });
    };
    const next = () => {
      if (until()) return finish();
      id++;
      sentAt = performance.now();
      s.write(`${JSON.stringify({ id, cmd: 'status', names: [] })}\n`);
    };
    s.on('data', (chunk: Buffer) => {
      for (const piece of split.push(chunk)) {
        if (piece.kind !== 'line') continue;
        const msg = JSON.parse(piece.line) as { id: number; ok: boolean };
        if (msg.id === 0) {
          if (msg.ok) next();
          else (failures++, finish());
        } else if (msg.id === id) {
          if (msg.ok) ms.push(performance.now() - sentAt);
          else failures++;
          next();
        }
      }
    });
    s.once('error', () => (failures++, finish()));
    s.once('close', () => {
      if (!finished && !until()) failures++; // hung up on us
      finish();
    });
    s.write(`${JSON.stringify({ id: 0, cmd: 'hello', version: PROTOCOL_VERSION })}\n`);
  });
}

/** Writes a Node script into `dir` and returns the program line that runs it. */
export function nodeScript(dir: string, name: string, source: string): string {
  const file = join(dir, name);
  writeFileSync(file, `'use strict';\n${source}\n`);
  return `${process.execPath} ${file}`;
}

/** Daemon log lines at ERROR or FATAL (its stderr, one formatted line per entry). */
export function errorLines(d: Daemon): string[] {
  return d.output().split('\n').filter((l) => / (ERROR|FATAL) /.test(l));
}

/** The daemon's log lines that mention `text`. */
export function logLines(d: Daemon, text: string): string[] {
  return d.output().split('\n').filter((l) => l.includes(text));
}
