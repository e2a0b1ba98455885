// Running a command to completion and timing it.
import { spawn } from 'node:child_process';
import { nowNs } from './time';

export interface Ran {
  code: number | null;
  seconds: number;
  stdout: string;
  stderr: string;
}

/** Runs argv (no shell), with stdout and stderr collected; `seconds` is the wall time from spawn to exit. */
export function run(argv: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const t0 = nowNs();
    const child = spawn(argv[0]!, argv.slice(1), { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, seconds: Number(nowNs() - t0) / 1e9, stdout, stderr });
    });
  });
}

/** Like run, but a non-zero exit is an error carrying the command's stderr. */
export async function runOk(argv: string[], opts: Parameters<typeof run>[1] = {}): Promise<Ran> {
  const r = await run(argv, opts);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} exited ${r.code}: ${(r.stderr || r.stdout).trim().slice(-500)}`);
  return r;
}
