// Shared pieces of the control-*.test.ts files: talking to the socket with
// bytes no well-behaved client sends, and running a daemon on a config file
// the harness did not write (a second daemon on a taken socket, a restart
// after a crash).
import { type ChildProcess, spawn } from 'node:child_process';
import { lstatSync } from 'node:fs';
import { connect } from 'node:net';
import { LineSplitter } from '../../src/protocol/framing';
import { PROTOCOL_VERSION } from '../../src/protocol/messages';
import { type Daemon, type ProcessStatus, rawRequest, statusRows, TASKMASTERD, waitFor } from './harness';

export const HELLO = JSON.stringify({ id: 0, cmd: 'hello', version: PROTOCOL_VERSION }) + '\n';

export interface Exchange {
  /** Every line the daemon sent, parsed. */
  messages: Record<string, unknown>[];
  /** True once the daemon closed the connection (it always should, after an error). */
  closed: boolean;
}

/**
 * Writes `data` on a fresh connection and collects what comes back until the
 * daemon closes it. Write errors are expected (the daemon may hang up while
 * a large payload is still being written) and ignored.
 */
export function exchange(socket: string, data: Buffer | string): Promise<Exchange> {
  return new Promise((done, fail) => {
    const s = connect(socket);
    const split = new LineSplitter(64 * 1024 * 1024);
    const messages: Record<string, unknown>[] = [];
    const limit = setTimeout(() => {
      s.destroy();
      done({ messages, closed: false });
    }, 20_000); // only bounds a daemon that never hangs up; the assertion says so
    s.on('data', (chunk: Buffer) => {
      for (const piece of split.push(chunk)) {
        if (piece.kind === 'line') messages.push(JSON.parse(piece.line) as Record<string, unknown>);
        else fail(new Error('daemon sent an oversized line'));
      }
    });
    s.on('error', () => undefined);
    s.once('close', () => {
      clearTimeout(limit);
      done({ messages, closed: true });
    });
    s.write(data);
  });
}

/** Connects, optionally writes `data`, and disconnects at once. */
export function connectAndLeave(socket: string, data?: string): Promise<void> {
  return new Promise((done, fail) => {
    const s = connect(socket);
    s.once('error', fail);
    s.once('connect', () => {
      if (data !== undefined) s.write(data);
      s.end(() => {
        s.destroy();
        done();
      });
    });
  });
}

/** Name → pid of every process, to show that nothing was touched. */
export async function pidsOf(d: Daemon): Promise<Record<string, number | null>> {
  return Object.fromEntries((await d.status()).map((s: ProcessStatus) => [s.name, s.pid]));
}

export interface LooseDaemon {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then wait for the exit. */
  stop: () => Promise<void>;
}

/** taskmasterd on an existing config file; the caller decides what to wait for. */
export function spawnDaemon(args: string[]): LooseDaemon {
  const proc = spawn(TASKMASTERD, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    proc.once('exit', (code, signal) => r({ code, signal })),
  );
  return {
    proc,
    output: () => out,
    exited,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** Waits until the daemon at `socket` answers `status`. */
export async function waitServing(socket: string, daemon: LooseDaemon): Promise<ProcessStatus[]> {
  const rows = await waitFor(async () => {
    if (daemon.proc.exitCode !== null) throw new Error(`taskmasterd exited ${daemon.proc.exitCode}: ${daemon.output()}`);
    const r = await rawRequest(socket, { cmd: 'status', names: [] });
    return r.ok === true ? statusRows(r.result) : null;
  }, 'the daemon to answer status');
  return rows!;
}

export function isSocketFile(path: string): boolean {
  try {
    return lstatSync(path).isSocket();
  } catch {
    return false;
  }
}

/** `file:line:col` at the start of a line, for the given file. */
export function locatedIn(file: string): RegExp {
  return new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `, 'm');
}
