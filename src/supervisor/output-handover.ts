// `detach`'s handover of a child's output: the pipes the daemon read become
// the stdin-like fds 3 and 4 of a drain process (this executable in its
// `drain` role, src/drain.ts) that appends them to the same log files, or to
// /dev/null for discarded output. The drain runs in a session of its own, so
// it outlives the daemon, and exits at EOF, when the detached process (and
// whatever inherited its stdout/stderr) has closed them: the child's writes
// never block on a full pipe nor die of SIGPIPE for want of a reader.
import { spawn } from 'node:child_process';
import type { OutputReaders } from './output-readers';

/** Where each stream of a detached child goes: a log file's path, or /dev/null. */
export interface OutputTargets {
  stdout: string;
  stderr: string;
}

export const DISCARDED = '/dev/null';

/** A handover done (drainPid null: both pipes were at EOF, no drain needed), or why not. */
export type HandOver = { ok: true; drainPid: number | null } | { ok: false; reason: string };

/** Hands the child's pipes to a drain; if it fails, the daemon reads on. */
export function handOverOutput(output: OutputReaders, to: OutputTargets, executable = process.execPath): HandOver {
  const pipes = output.release();
  if (pipes.stdout === null && pipes.stderr === null) return { ok: true, drainPid: null }; // both at EOF already
  // '' tells the drain that no pipe waits on that fd.
  const args = ['drain', pipes.stdout === null ? '' : to.stdout, pipes.stderr === null ? '' : to.stderr];
  let why: string | null = null;
  let drainPid: number | null = null;
  try {
    const drain = spawn(executable, args, {
      stdio: ['ignore', 'ignore', 'ignore', pipes.stdout ?? 'ignore', pipes.stderr ?? 'ignore'],
      detached: true, // setsid: the daemon's exit, or its terminal's hangup, does not reach it
      cwd: '/',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
    });
    // An exec failure shows as no pid (and an 'error' event next tick, heard here so it does not throw).
    drain.once('error', () => undefined);
    if (drain.pid === undefined) why = `cannot start ${executable} drain`;
    else {
      drainPid = drain.pid;
      drain.unref(); // the daemon's loop does not wait for it; Node still reaps it if it ends first
    }
  } catch (err) {
    why = `cannot start ${executable} drain: ${(err as Error).message}`;
  }
  if (why !== null) {
    output.resume();
    return { ok: false, reason: why };
  }
  output.close();
  return { ok: true, drainPid };
}
