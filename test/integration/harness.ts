// Runs the real daemon binary on a config in a temp dir, and talks to it
// through the real CLI binary or the raw socket.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fromJson, type JsonObject } from '@bufbuild/protobuf';
import { statusView, type StatusView } from '../../src/cli/views';
import { StatusResponseSchema } from '../../src/gen/taskmaster/v1/control_pb';
import { LineSplitter } from '../../src/protocol/framing';
import { PROTOCOL_VERSION } from '../../src/protocol/messages';

/** A process as `--json status` shows it (state RUNNING, pid null when none). */
export type ProcessStatus = StatusView;

export const ROOT = resolve(__dirname, '../../..');
export const TASKMASTERD = join(ROOT, 'dist/taskmasterd');
export const TASKMASTERCTL = join(ROOT, 'dist/taskmasterctl');
export const CHILD = join(ROOT, 'test/fixtures/child.js');
/** A program line that runs the controllable child. */
export const CHILD_CMD = `${process.execPath} ${CHILD}`;

/**
 * A line where the daemon reports a bug of its own ("BUG: …", "BUG while
 * handling …", at ERROR or FATAL) — by its place in the line, so that a
 * fuzzed request echoed in a client error ("\u000bUg…") is not taken for one.
 */
export const DAEMON_BUG_LINE = /^\S+ \S+ (?:ERROR|FATAL) +BUG\b/m;

export interface Daemon {
  dir: string;
  configFile: string;
  socket: string;
  logdir: string;
  proc: ChildProcess;
  output: () => string; // the daemon's stderr so far
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  ctl: (...args: string[]) => CtlResult;
  ctlAsync: (...args: string[]) => Promise<CtlResult>;
  request: (req: Record<string, unknown>) => Promise<Record<string, unknown>>;
  status: () => Promise<ProcessStatus[]>;
  writeConfig: (programsYaml: string) => void;
  stop: () => Promise<void>;
}

export interface CtlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `programs` is the YAML body under `programs:` (indented by two spaces). */
/** `inDir`: reuse a directory (and so the socket and logs) of an earlier daemon. */
/** `openFd3`: the daemon inherits a descriptor 3 without close-on-exec, as from a careless parent. */
export async function startDaemon(programs: string, daemonExtra = '', inDir?: string, env?: NodeJS.ProcessEnv, openFd3 = false): Promise<Daemon> {
  const dir = inDir ?? mkdtempSync(join(tmpdir(), 'tm-it-'));
  const configFile = join(dir, 'taskmaster.yaml');
  const socket = join(dir, 'tm.sock');
  const logdir = join(dir, 'logs');
  const writeConfig = (body: string): void => {
    writeFileSync(configFile, `taskmasterd:\n  socket: ${socket}\n  childlogdir: ${logdir}\n  loglevel: debug\n${daemonExtra}programs:\n${body}`);
  };
  writeConfig(programs);
  const stdio: ('ignore' | 'pipe')[] = openFd3 ? ['ignore', 'ignore', 'pipe', 'pipe'] : ['ignore', 'ignore', 'pipe'];
  const proc = spawn(TASKMASTERD, ['-c', configFile], { stdio, env: env ?? process.env });
  let stderr = '';
  proc.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    proc.once('exit', (code, signal) => r({ code, signal })),
  );
  const ctlArgs = (args: string[]) => ['-s', socket, ...args];
  const d: Daemon = {
    dir,
    configFile,
    socket,
    logdir,
    proc,
    output: () => stderr,
    exited,
    ctl: (...args) => {
      const r = spawnSync(TASKMASTERCTL, ctlArgs(args), { encoding: 'utf8', timeout: 60_000 });
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    },
    ctlAsync: (...args) => runCtl(ctlArgs(args)),
    request: (req) => rawRequest(socket, req),
    status: async () => {
      const r = await rawRequest(socket, { cmd: 'status', names: [] });
      if (r.ok !== true) throw new Error(`status failed: ${JSON.stringify(r)}`);
      return statusRows(r.result);
    },
    writeConfig,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await waitFor(async () => {
    if (proc.exitCode !== null) throw new Error(`taskmasterd exited ${proc.exitCode}: ${stderr}`);
    return canConnect(socket);
  }, 'daemon socket to accept');
  return d;
}

export function runCtl(args: string[], input?: string): Promise<CtlResult> {
  return new Promise((done) => {
    const p = spawn(TASKMASTERCTL, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    p.stdin.end(input ?? '');
    p.once('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

function canConnect(path: string): Promise<boolean> {
  return new Promise((r) => {
    const s = connect(path);
    s.once('connect', () => (s.destroy(), r(true)));
    s.once('error', () => r(false));
  });
}

/** A raw status result, read as the CLI reads it. */
export function statusRows(result: unknown): ProcessStatus[] {
  return fromJson(StatusResponseSchema, result as JsonObject).processes.map(statusView);
}

/** One request on a fresh connection, after hello: its answer, or its first item if it streams. */
export function rawRequest(socket: string, req: Record<string, unknown>): Promise<Record<string, unknown>> {
  return new Promise((done, fail) => {
    const s = connect(socket);
    const split = new LineSplitter(64 * 1024 * 1024);
    s.on('data', (chunk: Buffer) => {
      for (const piece of split.push(chunk)) {
        if (piece.kind !== 'line') continue;
        const msg = JSON.parse(piece.line) as Record<string, unknown>;
        if (msg.id === 1) {
          s.destroy();
          done(msg);
        } else if (msg.ok === false) {
          s.destroy();
          fail(new Error(JSON.stringify(msg)));
        }
      }
    });
    s.once('error', fail);
    s.write(JSON.stringify({ id: 0, cmd: 'hello', version: PROTOCOL_VERSION }) + '\n' + JSON.stringify({ id: 1, ...req }) + '\n');
  });
}

/**
 * Polls until `check` is truthy. The limit only bounds a hung test; no
 * assertion depends on how long it took.
 */
export async function waitFor<T>(check: () => Promise<T> | T, what: string, limitMs = 30_000): Promise<T> {
  const until = Date.now() + limitMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
      if (err instanceof Error && /taskmasterd exited/.test(err.message)) throw err;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(25);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function stateOf(d: Daemon, name: string): Promise<ProcessStatus> {
  const s = (await d.status()).find((p) => p.name === name);
  if (!s) throw new Error(`no process ${name}`);
  return s;
}

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** True while a pid exists (and is not a zombie). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}
