// A command probe: `sh -c CMD` passes when it exits 0. It runs in a process
// group of its own, so a timeout kills what it started too (`sh -c 'curl …'`).
import { type ChildProcess, spawn } from 'node:child_process';
import { timedOut } from './timeout';

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
    let done = false;
    const finish = (reason: string | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(reason);
    };
    const killGroup = (): void => {
      // ESRCH: it ended on its own meanwhile.
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    };
    const onAbort = (): void => {
      killGroup();
      finish('aborted');
    };
    let child: ChildProcess;
    try {
      child = spawn('/bin/sh', ['-c', cmd], {
        stdio: 'ignore',
        detached: true, // its own process group, for killGroup
        cwd: opts.cwd,
        env: opts.env,
        uid: opts.uid,
        gid: opts.gid,
      });
    } catch (err) {
      // Refused before any process exists (a bad uid, an env that is not strings).
      return resolve(`cannot run: ${(err as Error).message}`);
    }
    const timer = setTimeout(() => {
      killGroup();
      finish(timedOut(opts.timeoutMs));
    }, opts.timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (err) => finish(`cannot run: ${err.message}`));
    child.once('exit', (code, sig) => finish(code === 0 ? null : sig !== null ? `terminated by ${sig}` : `exit status ${code}`));
  });
}
