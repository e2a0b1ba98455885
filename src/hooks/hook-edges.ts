// The hooks' real edges: a command run with the event on its stdin, and a
// POST of it. Neither ever rejects; each ends in null or a short reason.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { AccountCache } from '../config/accounts';
import { SETPRIV } from '../supervisor/spawner';
import { VERSION } from '../version';
import type { HookEdges } from './hook-runner';

// Enough of a failing hook's stderr to say why in one log line.
const STDERR_KEPT = 300;

export function osHookEdges(baseEnv: NodeJS.ProcessEnv): HookEdges & { forgetAccounts(): void } {
  const accounts = new AccountCache();
  return {
    exec: (argv, input, opts) => execHook(accounts, baseEnv, argv, input, opts),
    post: postJson,
    sleep: (ms) => sleep(ms),
    forgetAccounts: () => accounts.clear(),
  };
}

type ExecOpts = Parameters<HookEdges['exec']>[2];

function execHook(accounts: AccountCache, baseEnv: NodeJS.ProcessEnv, argv: readonly string[], input: string, opts: ExecOpts): Promise<string | null> {
  const [program, ...rest] = argv;
  if (program === undefined) return Promise.resolve('empty command');
  let file = program;
  let args = rest;
  if (opts.user !== null) {
    const found = accounts.lookup(opts.user);
    if (!found.ok) return Promise.resolve(found.reason);
    const { uid, gid, name } = found.account;
    const myUid = process.getuid?.() ?? -1;
    if (uid !== myUid) {
      if (myUid !== 0) return Promise.resolve(`cannot run as user "${name}": taskmasterd is not running as root (uid ${myUid})`);
      // As a program is started: uid, gid and the user's groups (spawner.ts).
      args = [`--reuid=${uid}`, `--regid=${gid}`, '--init-groups', '--', program, ...rest];
      file = SETPRIV;
    }
  }
  const [command, commandArgs] = [file, args];
  return new Promise((resolve) => {
    let stderr = '';
    let timedOut = false;
    // detached: its own process group, so a timeout kills what it started too (a shell's children).
    const child = spawn(command, commandArgs, { stdio: ['pipe', 'ignore', 'pipe'], detached: true, env: { ...baseEnv, ...opts.env } });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, opts.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve(err.message);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      if (stderr.length < STDERR_KEPT) stderr += chunk.toString('utf8').slice(0, STDERR_KEPT - stderr.length);
    });
    // A hook that does not read its stdin is no failure: EPIPE is ignored.
    child.stdin!.once('error', () => undefined);
    child.stdin!.end(input);
    // 'exit', not 'close': a hook's background child holding stderr open must not hold the hook's slot.
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const said = stderr.trim() === '' ? '' : ` (stderr: ${stderr.trim().replace(/\s+/g, ' ')})`;
      if (timedOut) resolve(`timed out after ${opts.timeoutMs / 1000}s`);
      else if (code === 0) resolve(null);
      else resolve(`${code !== null ? `exit status ${code}` : `terminated by ${signal}`}${said}`);
    });
  });
}

async function postJson(url: string, body: string, timeoutMs: number): Promise<string | null> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': `taskmaster/${VERSION}` },
      body,
      redirect: 'manual', // a redirect is an answer, not success: the body would not reach its target
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    return res.status >= 200 && res.status < 300 ? null : `HTTP ${res.status}`;
  } catch (err) {
    return fetchFailure(err as Error, timeoutMs);
  }
}

/** fetch's errors, in a few words and without the URL (it may hold a secret). */
function fetchFailure(err: Error, timeoutMs: number): string {
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `timed out after ${timeoutMs / 1000}s`;
  const code = (err.cause as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'UND_ERR_SOCKET':
      return 'connection closed by the server';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case undefined:
      return (err.cause as Error | undefined)?.message ?? err.message;
    default:
      return code;
  }
}
