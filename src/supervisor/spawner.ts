// The OS edge for starting a program. Everything that can be checked before
// the exec is checked here so that `status` can say *why* a start failed
// ("no such file", "not a directory") instead of "exited too quickly".
import { closeSync, accessSync, constants, openSync, readSync, statSync } from 'node:fs';
import { Socket, type SocketConstructorOpts } from 'node:net';
import { constants as osConstants } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { spawnAddon } from '../native/spawn-addon';
import type { AccountCache } from './users';

export interface SpawnSpec {
  argv: string[];
  env: Record<string, string>;
  cwd: string | null;
  umask: number | null;
  user: string | null;
}

/** Where a child's output and exit go. A chunk is valid only during the call: the reader reuses its buffer. */
export interface ChildSinks {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
  exit(code: number | null, signal: NodeJS.Signals | null): void;
}

export interface Child {
  readonly pid: number;
}

export type SpawnOutcome = { ok: true; child: Child } | { ok: false; reason: string };

// setpriv (util-linux, on every Debian) sets uid, gid *and* the user's
// supplementary groups, then execs: the pid we track stays the program's.
const SETPRIV = '/usr/bin/setpriv';

// A chatty program fills a 64 KiB pipe in one write and then waits for the
// daemon; 1 MiB lets it run ahead and lets one read move 1 MiB. Only as
// root: for other users big pipes count against a per-user limit
// (fs.pipe-user-pages-soft) past which new pipes shrink to one page.
const PIPE_CAPACITY = process.getuid?.() === 0 ? 1 << 20 : 0;

export function spawnProgram(spec: SpawnSpec, accounts: AccountCache, sinks: ChildSinks): SpawnOutcome {
  const cwd = spec.cwd ?? process.cwd();
  const cwdProblem = checkDirectory(cwd);
  if (cwdProblem) return { ok: false, reason: `workingdir ${cwd}: ${cwdProblem}` };
  const [program, ...args] = spec.argv;
  if (program === undefined) return { ok: false, reason: 'empty command' };
  const executable = findExecutable(program, spec.env.PATH ?? process.env.PATH ?? '', cwd);
  if (!executable.ok) return executable;
  const interpreterProblem = checkInterpreter(executable.path, cwd);
  if (interpreterProblem) return { ok: false, reason: interpreterProblem };

  let file = executable.path;
  let argv = [program, ...args];
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
    }
  }
  const env = Object.entries(spec.env).map(([k, v]) => `${k}=${v}`);

  const native = spawnAddon();
  const pipes: number[] = [];
  let pid: number;
  // posix_spawn has no umask attribute: the child takes the daemon's umask
  // at clone, which happens synchronously inside spawn().
  const saved = spec.umask === null ? null : process.umask(spec.umask);
  try {
    const [outRead, outWrite] = native.makePipe(PIPE_CAPACITY);
    pipes.push(outRead, outWrite);
    const [errRead, errWrite] = native.makePipe(PIPE_CAPACITY);
    pipes.push(errRead, errWrite);
    pid = native.spawn(file, argv, env, cwd, outWrite, errWrite);
  } catch (err) {
    for (const fd of pipes) closeSync(fd);
    return { ok: false, reason: `spawn ${program}: ${describeErrno(err)}` };
  } finally {
    if (saved !== null) process.umask(saved);
  }
  // The child holds the write ends now; ours would keep the pipes from ever reaching EOF.
  closeSync(pipes[1]!);
  closeSync(pipes[3]!);
  readPipe(pipes[0]!, sinks.stdout);
  readPipe(pipes[2]!, sinks.stderr);
  try {
    native.watchExit(pid, (code, signal) => sinks.exit(code, signal === null ? null : signalName(signal)));
  } catch (err) {
    // No pidfd (descriptors exhausted): a child we cannot watch must not run unsupervised.
    process.kill(pid, 'SIGKILL');
    return { ok: false, reason: `spawn ${program}: cannot watch pid ${pid}: ${describeErrno(err)}` };
  }
  return { ok: true, child: { pid } };
}

// One buffer for every pipe: a read and the synchronous sink call that
// consumes it finish before the event loop starts the next read.
let sharedReadBuffer: Buffer | null = null;

function readPipe(fd: number, sink: (chunk: Buffer) => void): void {
  sharedReadBuffer ??= Buffer.allocUnsafe(Math.max(PIPE_CAPACITY, 1 << 16));
  // `onread` (Node 12+; missing from @types/node's socket options) reads into
  // our buffer: no 64 KiB Buffer allocated per read, and reads up to its size.
  const options = {
    fd,
    readable: true,
    writable: false,
    onread: { buffer: sharedReadBuffer, callback: (n: number, buffer: Buffer) => sink(buffer.subarray(0, n)) },
  };
  const socket = new Socket(options as SocketConstructorOpts);
  // EOF closes the socket; a read error (EIO) ends this stream's capture the same way.
  socket.on('error', () => socket.destroy());
}

const SIGNAL_NAMES = new Map(Object.entries(osConstants.signals).map(([name, n]) => [n, name as NodeJS.Signals]));

function signalName(signal: number): NodeJS.Signals | null {
  return SIGNAL_NAMES.get(signal) ?? null;
}

function checkDirectory(dir: string): string | null {
  try {
    return statSync(dir).isDirectory() ? null : 'not a directory';
  } catch (err) {
    return describeErrno(err);
  }
}

type Found = { ok: true; path: string } | { ok: false; reason: string };

/** PATH search as execvp does it; a name with a slash is taken relative to cwd. */
export function findExecutable(program: string, pathList: string, cwd: string): Found {
  if (program.includes('/')) {
    const full = isAbsolute(program) ? program : resolve(cwd, program);
    const problem = checkExecutable(full);
    return problem ? { ok: false, reason: `${full}: ${problem}` } : { ok: true, path: full };
  }
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
