// From a run request to what the spawner starts: the request checked, the
// working directory and the environment decided.
import { isAbsolute, resolve } from 'node:path';
import type { RunRequest } from '../gen/taskmaster/v1/jobs_pb';
import { shown, TaskmasterError } from '../protocol/errors';
import type { SpawnSpec } from '../supervisor/spawner';
import type { JobAccount } from './job-accounts';

// What a job may take from the daemon's environment: where programs are,
// and the machine's locale and time zone. Not the rest: the daemon's
// environment is root's and may hold secrets, and a job runs for a remote
// identity — as su - and systemd-run, it starts from a clean environment.
const INHERITED = ['PATH', 'LANG', 'LC_ALL', 'TZ'] as const;
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Refuses a request no process could be started from (EBADREQUEST), naming the field. */
export function checkRunRequest(req: RunRequest): void {
  if (req.command === '') throw bad('command: empty');
  // execve takes C strings: a NUL would silently cut the value.
  if (req.command.includes('\0')) throw bad('command: contains a NUL byte');
  if (req.dir.includes('\0')) throw bad('dir: contains a NUL byte');
  req.args.forEach((arg, i) => {
    if (arg.includes('\0')) throw bad(`args[${i}]: contains a NUL byte`);
  });
  for (const [name, value] of Object.entries(req.env)) {
    if (name === '' || name.includes('=') || name.includes('\0')) throw bad(`env: ${shown(name)} is not a variable name`);
    if (value.includes('\0')) throw bad(`env.${name}: contains a NUL byte`);
  }
}

function bad(message: string): TaskmasterError {
  return new TaskmasterError('EBADREQUEST', message);
}

/**
 * The process to start: `user` null runs it as the daemon's own user. The
 * working directory is `dir`, relative to the home, or the home itself.
 */
export function jobSpawnSpec(req: RunRequest, id: string, account: JobAccount, user: string | null, daemonEnv: NodeJS.ProcessEnv, cgroup: string | null = null): SpawnSpec {
  const env: Record<string, string> = { PATH: DEFAULT_PATH };
  for (const name of INHERITED) {
    const value = daemonEnv[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, { HOME: account.home, USER: account.name, LOGNAME: account.name, TASKMASTER_JOB_ID: id }, req.env);
  const cwd = req.dir === '' ? account.home : isAbsolute(req.dir) ? req.dir : resolve(account.home, req.dir);
  // umask null: the daemon's, as for a program without one.
  return { argv: [req.command, ...req.args], env, cwd, umask: null, user, latencyFirst: false, cgroup };
}
