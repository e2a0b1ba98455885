// The OS edge for starting a program. Everything that can be checked before
// the exec is checked here so that `status` can say *why* a start failed
// ("no such file", "not a directory") instead of "exited too quickly".
import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { type InputKind, startProcess, startsDirectly } from './start-process';
import type { ChildInput } from './child-input';
import type { ChildSinks } from './output-readers';
import { type HandOver, handOverOutput, type OutputTargets } from './output-handover';
import type { AccountCache } from '../config/accounts';

export interface SpawnSpec {
  argv: string[];
  env: Record<string, string>;
  cwd: string | null;
  umask: number | null;
  user: string | null;
  /** See StartRequest.latencyFirst. */
  latencyFirst: boolean;
  /** See StartRequest.cgroup. */
  cgroup: string | null;
  /** The child's stdin (`stdin: pipe`, `tty: true`); absent: /dev/null. */
  input?: InputKind;
}

export interface Child {
  readonly pid: number;
  /**
   * detach: the daemon stops reading the child's output (each open stream's
   * sink hears `ended` first) and another process, the drain, takes it on
   * to `to`; if that fails the daemon reads on.
   */
  handOver(to: OutputTargets): HandOver;
  /** Where `fg` writes to the child; absent or null: its stdin is /dev/null. */
  readonly input?: ChildInput | null;
}

export type { ChildSinks, HandOver, OutputTargets };
/** code: the errno name when the OS refused (EMFILE…), for who must tell a shortage from a bad command. */
export type SpawnOutcome = { ok: true; child: Child } | { ok: false; reason: string; code?: string };

// setpriv (util-linux, on every Debian) sets uid, gid *and* the user's
// supplementary groups, then execs: the pid we track stays the program's.
export const SETPRIV = '/usr/bin/setpriv';

export function spawnProgram(spec: SpawnSpec, accounts: AccountCache, sinks: ChildSinks): SpawnOutcome {
  const cwd = spec.cwd ?? process.cwd();
  const [program, ...args] = spec.argv;
  if (program === undefined) return { ok: false, reason: 'empty command' };
  // A path is taken as is and checked only if exec fails; a bare name is looked up in PATH now.
  const executable = program.includes('/')
    ? { ok: true as const, path: isAbsolute(program) ? program : resolve(cwd, program) }
    : findInPath(program, spec.env.PATH ?? process.env.PATH ?? '');
  if (!executable.ok) return { ok: false, reason: workingdirProblem(cwd) ?? executable.reason };

  let file = executable.path;
  let argv = [program, ...args];
  // Through setpriv, or Node's spawn, a failed exec shows only as an early
  // exit: check first. posix_spawn reports it at once: check only then,
  // and keep the restart path free of the extra system calls.
  let checkFirst = !startsDirectly();
  if (spec.user !== null) {
    const found = accounts.lookup(spec.user);
    if (!found.ok) return { ok: false, reason: found.reason };
    const { uid, gid, name } = found.account;
    const myUid = process.getuid?.() ?? -1;
    if (uid !== myUid) {
      if (myUid !== 0) {
        return { ok: false, reason: `cannot run as user "${name}": taskmasterd is not running as root (uid ${myUid})` };
      }
      argv = [program, `--reuid=${uid}`, `--regid=${gid}`, '--init-groups', '--', file, ...args];
      file = SETPRIV;
      checkFirst = true;
    }
  }
  if (checkFirst) {
    const problem = diagnose(cwd, executable.path);
    if (problem) return { ok: false, reason: problem };
  }
  // posix_spawn and fork have no umask setting: the child takes the daemon's
  // umask when it is created, which happens synchronously in startProcess.
  const saved = spec.umask === null ? null : process.umask(spec.umask);
  try {
    const request = { file, argv, env: spec.env, cwd, latencyFirst: spec.latencyFirst, cgroup: spec.cgroup, input: spec.input ?? 'none' };
    const { pid, output, input } = startProcess(request, sinks);
    return { ok: true, child: { pid, input, handOver: (to) => handOverOutput(output, to) } };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, reason: diagnose(cwd, executable.path) ?? `spawn ${program}: ${describeErrno(err)}`, ...(code === undefined ? {} : { code }) };
  } finally {
    if (saved !== null) process.umask(saved);
  }
}

/** Why exec of `file` (a full path) in `cwd` fails, as a person would want it said; null if no reason is found. */
function diagnose(cwd: string, file: string): string | null {
  const cwdProblem = workingdirProblem(cwd);
  if (cwdProblem) return cwdProblem;
  const problem = checkExecutable(file);
  return problem ? `${file}: ${problem}` : checkInterpreter(file, cwd);
}

function workingdirProblem(cwd: string): string | null {
  const problem = checkDirectory(cwd);
  return problem ? `workingdir ${cwd}: ${problem}` : null;
}

function checkDirectory(dir: string): string | null {
  try {
    return statSync(dir).isDirectory() ? null : 'not a directory';
  } catch (err) {
    return describeErrno(err);
  }
}

type Found = { ok: true; path: string } | { ok: false; reason: string };

/** PATH search for a bare name (no slash), as execvp does it. */
function findInPath(program: string, pathList: string): Found {
  let firstProblem: string | null = null;
  for (const dir of pathList.split(delimiter)) {
    if (dir === '') continue;
    const full = join(dir, program);
    const problem = checkExecutable(full);
    if (problem === null) return { ok: true, path: full };
    if (problem !== 'no such file' && firstProblem === null) firstProblem = `${full}: ${problem}`;
  }
  return { ok: false, reason: firstProblem ?? `${program}: command not found in PATH` };
}

function checkExecutable(file: string): string | null {
  try {
    if (statSync(file).isDirectory()) return 'is a directory';
    accessSync(file, constants.X_OK);
    return null;
  } catch (err) {
    return describeErrno(err);
  }
}

/**
 * A script whose #! interpreter is missing (often `#!/bin/sh\r` from a file
 * saved with CRLF) makes execve fail with ENOENT, which Node reports as
 * "spawn SCRIPT ENOENT" although SCRIPT exists. Read the line as the kernel
 * does (the first 256 bytes; the interpreter is the first word, relative to
 * cwd) and name the real culprit.
 */
function checkInterpreter(file: string, cwd: string): string | null {
  const head = Buffer.alloc(256);
  let length: number;
  try {
    if (!statSync(file).isFile()) return null;
    const fd = openSync(file, 'r');
    try {
      length = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return null; // unreadable to the daemon: exec will say what it finds
  }
  if (length < 2 || head[0] !== 0x23 || head[1] !== 0x21) return null; // not "#!"
  const line = head.subarray(2, length).toString('latin1').split('\n')[0] ?? '';
  const interpreter = line.replace(/^[ \t]+/, '').split(/[ \t]/)[0] ?? '';
  if (interpreter === '') return null;
  const problem = checkExecutable(resolve(cwd, interpreter));
  return problem === null ? null : `${file}: bad interpreter ${JSON.stringify(interpreter)}: ${problem}`;
}

function describeErrno(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
      return 'permission denied';
    case 'ENOTDIR':
      return 'not a directory';
    default:
      return (err as Error).message;
  }
}
