// A command probe: does CMD (run by /bin/sh -c) exit 0? Shared by readiness
// (`ready: {exec}`) and health checks. It runs in its own process group, so
// a timeout kills what it started too, and its output is discarded.
import { spawn } from 'node:child_process';
import { settleOnce, timedOut } from './settle';

export interface ExecProbeOptions {
  timeoutMs: number;
  uid?: number;
  gid?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** null when the command exits 0; otherwise why not ("exit status 1", "timed out after 2s"). Never rejects. */
export function probeExec(cmd: string, opts: ExecProbeOptions, signal?: AbortSignal): Promise<string | null> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve('aborted');
    const child = spawn('/bin/sh', ['-c', cmd], {
      stdio: 'ignore',
      detached: true, // its own process group: killed whole on a timeout
      ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
      ...(opts.env === undefined ? {} : { env: opts.env }),
      ...(opts.uid === undefined ? {} : { uid: opts.uid }),
      ...(opts.gid === undefined ? {} : { gid: opts.gid }),
    });
    const killGroup = (): void => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // ESRCH: gone already
      }
    };
    const finish = settleOnce(resolve, () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    });
    const onAbort = (): void => {
      killGroup();
      finish('aborted');
    };
    const timer = setTimeout(() => {
      killGroup();
      finish(timedOut(opts.timeoutMs));
    }, opts.timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (err: NodeJS.ErrnoException) => finish(`cannot run: ${err.code ?? err.message}`));
    child.once('exit', (code, sig) => finish(code === 0 ? null : sig !== null ? `terminated by ${sig}` : `exit status ${code}`));
  });
}
