// Shared pieces of the lifecycle-*.test.ts files: program YAML, a daemon
// that is always stopped, scratch directories, and reading what the daemon
// and the OS say about a process.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StateKind } from '../../src/core/states';
import { CHILD_CMD, type Daemon, type ProcessStatus, readText, startDaemon, stateOf, waitFor } from './harness';

/** Written into the YAML as is (`umask: 077`, `ANSWER: 42`), not quoted. */
export class Raw {
  constructor(readonly text: string) {}
}
export const raw = (text: string): Raw => new Raw(text);

type Scalar = string | number | boolean | Raw;
export type Settings = Record<string, Scalar | readonly number[] | Record<string, Scalar>>;

function scalar(v: Scalar): string {
  return v instanceof Raw ? v.text : typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** One program under `programs:`; `settings` override fast test defaults. */
export function program(name: string, settings: Settings): string {
  const all: Settings = { cmd: CHILD_CMD, starttime: 0.2, stoptime: 1, ...settings };
  const lines = [`  ${name}:`];
  for (const [key, value] of Object.entries(all)) {
    if (Array.isArray(value)) lines.push(`    ${key}: [${value.join(', ')}]`);
    else if (typeof value === 'object' && !(value instanceof Raw)) {
      lines.push(`    ${key}:`);
      for (const [k, v] of Object.entries(value as Record<string, Scalar>)) lines.push(`      ${k}: ${scalar(v)}`);
    } else lines.push(`    ${key}: ${scalar(value as Scalar)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Runs `body` against a fresh daemon, which is stopped whatever happens. */
export async function withDaemon<T>(programs: string, body: (d: Daemon) => Promise<T>, daemonExtra = ''): Promise<T> {
  const d = await startDaemon(programs, daemonExtra);
  try {
    return await body(d);
  } finally {
    await d.stop();
  }
}

/** withDaemon with a scratch dir, which `programs` may name files in. */
export function withDaemonIn<T>(programs: (dir: string) => string, body: (d: Daemon, dir: string) => Promise<T>): Promise<T> {
  return withScratch((dir) => withDaemon(programs(dir), (d) => body(d, dir)));
}

/** A temp dir anyone can write to (children may run as nobody); removed after `body`. */
export async function withScratch<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'tm-lc-'));
  chmodSync(dir, 0o777);
  try {
    return await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function waitState(
  d: Daemon,
  name: string,
  state: StateKind,
  extra?: (s: ProcessStatus) => boolean,
): Promise<ProcessStatus> {
  const found = await waitFor(async () => {
    const s = await stateOf(d, name);
    return s.state === state && (extra === undefined || extra(s)) ? s : null;
  }, `${name} to be ${state}`);
  return found!;
}

/** How many times the daemon logged spawning `name` (its own log on stderr). */
export function spawnCount(d: Daemon, name: string): number {
  return spawnOrder(d).filter((n) => n === name).length;
}

/** Process names in the order the daemon logged spawning them. */
export function spawnOrder(d: Daemon): string[] {
  return [...d.output().matchAll(/spawned: (\S+) with pid \d+/g)].map((m) => m[1]!);
}

/**
 * Waits for `text` in the daemon's log. Its stderr reaches the test through a
 * pipe, so a line may still be in flight when the socket has already answered.
 */
export async function waitLog(d: Daemon, text: string): Promise<void> {
  await waitFor(() => d.output().includes(text), `${JSON.stringify(text)} in the daemon log`);
}

/** Index in the daemon log of the first line containing `text`; -1 if none. */
export function logIndex(d: Daemon, text: string): number {
  return d.output().indexOf(text);
}

export function readJson<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return null; // not written yet, or half written
  }
}

export function readPid(path: string): number | null {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/**
 * The fixture installs its signal handlers before it writes CHILD_PID_FILE,
 * so once `pid` is in the file a signal meets the handlers. RUNNING alone
 * does not promise that: under load node may boot slower than starttime.
 */
export async function waitHandlersReady(pidFile: string, pid: number): Promise<void> {
  await waitFor(() => readPid(pidFile) === pid, `pid ${pid} in ${pidFile}`);
}

/**
 * Resolves once the auto stdout log of process `name` holds `text`. The
 * fixture writes CHILD_STDOUT after it has set its signal handlers, so this
 * is how a test knows them set when instances share one environment
 * (numprocs) and so cannot each have a pid file. (SigCgt cannot tell: node
 * catches SIGTERM and SIGINT itself from start-up, to reset the terminal.)
 */
export async function waitOutput(d: Daemon, name: string, text: string): Promise<void> {
  const log = join(d.logdir, `${name.replace(':', '_')}.stdout.log`);
  await waitFor(() => readText(log).includes(text), `"${text}" in ${log}`);
}

/** For cleanup of processes a test meant to leak; ESRCH is fine. */
export function killQuietly(pid: number | null | undefined): void {
  if (!pid) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** A field of /proc/PID/status, e.g. procStatus(pid, 'Uid') → ['65534', …]. */
export function procStatus(pid: number, field: string): string[] {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const line = text.split('\n').find((l) => l.startsWith(`${field}:`));
  if (line === undefined) throw new Error(`no ${field} in /proc/${pid}/status`);
  return line.slice(field.length + 1).trim().split(/\s+/).filter(Boolean);
}

/** `id -u USER`, `id -g USER`, `id -G USER` as the system answers them. */
export function idOf(user: string): { uid: number; gid: number; groups: number[] } {
  const id = (flag: string) => execFileSync('id', [flag, user], { encoding: 'utf8' }).trim();
  return {
    uid: Number(id('-u')),
    gid: Number(id('-g')),
    groups: id('-G').split(/\s+/).map(Number).sort((a, b) => a - b),
  };
}

/** A short pause that lets a wrong restart show up; nothing asserts on time. */
export const settle = (ms = 400): Promise<void> => new Promise((r) => setTimeout(r, ms));
