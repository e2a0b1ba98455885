// Shared pieces of the faults-protocol-*.test.ts files: what the kernel says
// about the daemon (open files, resident memory), and one pipelined
// connection that writes many request lines and checks every reply line.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { isErrorCode } from '../../src/protocol/errors';
import { LineSplitter } from '../../src/protocol/framing';
import { sleep, waitFor } from './harness';

/** Open file descriptors of `pid` (sockets, pipes, log files). */
export function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Resident set size of `pid`, in bytes. */
export function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

/** The fd count once it holds still: closes reach the daemon a little after the client made them. */
export async function quietFdCount(pid: number): Promise<number> {
  let last = fdCount(pid);
  for (let same = 0; same < 4; ) {
    await sleep(50);
    const now = fdCount(pid);
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return last;
}

/**
 * Waits until the daemon holds no more than `baseline` descriptors again. A
 * client's close reaches the daemon asynchronously, so this polls; the limit
 * only bounds a leak, which then fails with the descriptors it kept.
 */
export async function fdsBackTo(pid: number, baseline: number, what: string): Promise<void> {
  let last = -1;
  try {
    await waitFor(() => (last = fdCount(pid)) <= baseline, `fd count of the daemon back to ${baseline} after ${what}`);
  } catch {
    const fds = readdirSync(`/proc/${pid}/fd`).map((fd) => {
      try {
        return `${fd}→${readlinkSync(`/proc/${pid}/fd/${fd}`)}`;
      } catch {
        return fd;
      }
    });
    throw new Error(`daemon fd count stayed at ${last}, baseline ${baseline}, after ${what}: ${fds.join(' ')}`);
  }
}

/** What a well-behaved daemon may send: an answer with ok:true, a coded error, or a stream's item. */
export type Verdict = { ok: true; kind: 'result' | 'item'; code: null } | { ok: true; kind: 'error'; code: string } | { ok: false; why: string };

export function judge(line: string): Verdict {
  let msg: unknown;
  try {
    msg = JSON.parse(line);
  } catch {
    return { ok: false, why: `not JSON: ${line.slice(0, 200)}` };
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return { ok: false, why: `not an object: ${line.slice(0, 200)}` };
  const m = msg as Record<string, unknown>;
  if (!Number.isSafeInteger(m.id) || (m.id as number) < 0) return { ok: false, why: `no id: ${line.slice(0, 200)}` };
  if (typeof m.item === 'object' && m.item !== null && !Array.isArray(m.item)) return { ok: true, kind: 'item', code: null };
  if (m.ok === true && typeof m.result === 'object' && m.result !== null && !Array.isArray(m.result)) return { ok: true, kind: 'result', code: null };
  if (m.ok === false && typeof m.error === 'object' && m.error !== null) {
    const { code, message } = m.error as { code?: unknown; message?: unknown };
    // EINTERNAL is a code, but it means the daemon met something it did not expect: a bug.
    if (isErrorCode(code) && code !== 'EINTERNAL' && typeof message === 'string' && message.length > 0) return { ok: true, kind: 'error', code };
  }
  return { ok: false, why: `unexpected message: ${line.slice(0, 300)}` };
}

export interface Pipelined {
  /** Replies (not stream items), in the order they came. */
  replies: Verdict[];
  items: number;
  /** Problems: lines that are not JSON or of no known shape, a connection left open. */
  problems: string[];
}

/**
 * Writes `data` on a fresh connection, in the given pieces (so request lines
 * straddle reads), and reads until the daemon hangs up. The caller always ends
 * `data` with a bad line, so a daemon that never hangs up is a problem.
 */
export function pipelined(socket: string, pieces: Buffer[], slowWrites: boolean): Promise<Pipelined> {
  return new Promise((done) => {
    const s = connect(socket);
    const split = new LineSplitter(256 * 1024 * 1024);
    const out: Pipelined = { replies: [], items: 0, problems: [] };
    const limit = setTimeout(() => {
      out.problems.push('the daemon did not close the connection after a bad line');
      s.destroy();
    }, 60_000); // bounds a hang only
    s.on('data', (chunk: Buffer) => {
      for (const piece of split.push(chunk)) {
        if (piece.kind !== 'line') {
          out.problems.push('a reply line over 256 MiB');
          continue;
        }
        const v = judge(piece.line);
        if (v.ok && v.kind === 'item') out.items++;
        else out.replies.push(v);
      }
    });
    s.on('error', () => undefined); // EPIPE/ECONNRESET: the daemon hung up while we wrote, as it may
    s.once('close', () => {
      clearTimeout(limit);
      done(out);
    });
    const write = async (): Promise<void> => {
      for (const p of pieces) {
        if (s.destroyed) return;
        if (!slowWrites) s.write(p);
        else {
          await new Promise<void>((r) => s.write(p, () => r()));
          await new Promise((r) => setImmediate(r));
        }
      }
    };
    s.once('connect', () => void write());
  });
}
