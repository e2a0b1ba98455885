// A command probe: `sh -c CMD` passes when it exits 0. It runs in a process
// group of its own, so a timeout kills what it started too (`sh -c 'curl …'`).
import { type ChildProcess, spawn } from 'node:child_process';
import { probeEnd } from './timeout';

export interface ExecProbeOptions {
  timeoutMs: number;
  uid?: number;
  gid?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Resolves null on exit 0, else a short reason ("exit status 1", "timed out after 2s"); never rejects. */
export function probeExec(cmd: string, opts: ExecProbeOptions, signal?: AbortSignal): Promise<string | null> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve('aborted');
    let child: ChildProcess;
    try {
      child = spawn('/bin/sh', ['-c', cmd], {
        stdio: 'ignore',
        detached: true, // its own process group, killed whole when cut short
        cwd: opts.cwd,
        env: opts.env,
        uid: opts.uid,
        gid: opts.gid,
      });
    } catch (err) {
      // Refused before any process exists (a bad uid, an env that is not strings).
      return resolve(`cannot run: ${(err as Error).message}`);
    }
    const finish = probeEnd(opts.timeoutMs, signal, resolve, (cutShort) => {
      // Cut short: what it started goes too. ESRCH: it ended on its own meanwhile.
      if (!cutShort || child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    });
    child.once('error', (err) => finish(`cannot run: ${err.message}`));
    child.once('exit', (code, sig) => finish(code === 0 ? null : sig !== null ? `terminated by ${sig}` : `exit status ${code}`));
  });
}
