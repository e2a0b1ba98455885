// Starting one child process once its command is resolved: through the
// spawn addon (posix_spawn, pidfd) when it is there, else through Node's
// child_process — a build without a C compiler has no addon, and works,
// only with slower starts (fork copies the daemon's page tables).
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { Socket, type SocketConstructorOpts } from 'node:net';
import { signalName } from '../config/signals';
import { type SpawnAddon, spawnAddon } from '../native/spawn-addon';
import { pipePages, pipeRequest } from './pipe-budget';
import { pipeLimits } from './pipe-limits';
import { type ChildSinks, OutputReaders } from './output-readers';
import { type ChildInput, pipeInput, terminalInput } from './child-input';
import { terminalStream } from '../native/terminal-stream';

/** The child's stdin: /dev/null, a pipe the daemon writes, or a terminal for all three streams. */
export type InputKind = 'none' | 'pipe' | 'terminal';

export interface StartRequest {
  file: string;
  argv: string[]; // argv[0] included
  env: Record<string, string>;
  cwd: string;
  /** A lone restart, where the child starting soon matters more than the daemon carrying on. */
  latencyFirst: boolean;
  /** The cgroup directory to start the child in (cgroup mode, addon only); null: the daemon's. */
  cgroup: string | null;
  input: InputKind;
}

/** A child started, the daemon's readers of its output, and its input when it has one. */
export interface StartedProcess {
  pid: number;
  output: OutputReaders;
  input: ChildInput | null;
}

/**
 * Starts the child in its own session (stopasgroup/killasgroup signal -pid,
 * and a terminal's Ctrl-C to the daemon does not reach it), stdin /dev/null
 * unless `input` asks for more. Throws an errno Error when exec fails.
 */
export function startProcess(req: StartRequest, sinks: ChildSinks): StartedProcess {
  const native = spawnAddon();
  if (native) return startNative(native, req, sinks);
  // The cgroup mode is offered only with the addon (cgroups/daemon-cgroups.ts).
  if (req.cgroup !== null) throw Object.assign(new Error(`cannot place ${req.file} in ${req.cgroup} without the spawn addon`), { code: 'EINTERNAL' });
  return startWithNode(req, sinks);
}

/** True when exec failures are known at once (the addon), not from an early exit. */
export function startsDirectly(): boolean {
  return spawnAddon() !== null;
}

// The pages of the child pipes the daemon holds open (pipe-budget.ts sizes
// new ones by them). A pipe's come back when the daemon closes its read end:
// at EOF, when no writer is left, so the kernel frees the pipe then too.
let heldPipePages = 0;

interface ChildPipe {
  read: number;
  write: number;
  capacity: number;
  pages: number;
}

/** Sized at each spawn: the daemon may have dropped root (taskmasterd.user) since the last. */
function makeChildPipe(native: SpawnAddon): ChildPipe {
  const [read, write, capacity] = native.makePipe(pipeRequest(pipeLimits(native.pageSize), heldPipePages));
  const pages = pipePages(capacity, native.pageSize);
  heldPipePages += pages;
  return { read, write, capacity, pages };
}

// execve's form of each environment, kept as long as its record is (the
// supervisor builds one per program config).
const envLists = new WeakMap<Record<string, string>, string[]>();

function execEnv(vars: Record<string, string>): string[] {
  let env = envLists.get(vars);
  if (env === undefined) {
    env = Object.entries(vars).map(([k, v]) => `${k}=${v}`);
    envLists.set(vars, env);
  }
  return env;
}

/** A stdin pipe: one page, since what `fg` sends is typed. The child reads `read`, the daemon writes `write`. */
function makeInputPipe(native: SpawnAddon): ChildPipe {
  const [read, write, capacity] = native.makePipe(native.pageSize);
  const pages = pipePages(capacity, native.pageSize);
  heldPipePages += pages;
  return { read, write, capacity, pages };
}

function startNative(native: SpawnAddon, req: StartRequest, given: ChildSinks): StartedProcess {
  if (req.input === 'terminal') return startOnTerminal(native, req, given);
  const env = execEnv(req.env);
  const pipes: ChildPipe[] = [];
  let pid: number;
  let cgroupFd = -1;
  try {
    pipes.push(makeChildPipe(native));
    pipes.push(makeChildPipe(native));
    if (req.input === 'pipe') pipes.push(makeInputPipe(native));
    if (req.cgroup !== null) cgroupFd = openCgroup(req.cgroup);
    const stdinFd = pipes[2]?.read ?? -1;
    pid = native.spawn(req.file, req.argv, env, req.cwd, pipes[0]!.write, pipes[1]!.write, req.latencyFirst, cgroupFd, stdinFd, null);
  } catch (err) {
    for (const pipe of pipes) {
      closeSync(pipe.read);
      closeSync(pipe.write);
      heldPipePages -= pipe.pages;
    }
    throw err;
  } finally {
    if (cgroupFd >= 0) closeSync(cgroupFd);
  }
  const [stdout, stderr, stdin] = pipes as [ChildPipe, ChildPipe, ChildPipe | undefined];
  // The child holds the write ends now; ours would keep the pipes from ever reaching EOF.
  closeSync(stdout.write);
  closeSync(stderr.write);
  // And the read end of its stdin: ours would keep a write to a child gone from failing.
  if (stdin !== undefined) closeSync(stdin.read);
  const output = new OutputReaders(given);
  const sinks = output.sinks;
  output.read('stdout', readPipe(stdout, sinks.stdout, () => sinks.ended('stdout')));
  output.read('stderr', readPipe(stderr, sinks.stderr, () => sinks.ended('stderr')));
  const input = stdin === undefined ? null : pipeInput(writePipe(stdin));
  watchExit(native, pid, sinks, input);
  return { pid, output, input };
}

function openCgroup(dir: string): number {
  return openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
}

function watchExit(native: SpawnAddon, pid: number, sinks: ChildSinks, input: ChildInput | null): void {
  try {
    native.watchExit(pid, (code, signal) => {
      input?.close();
      sinks.exit(code, signal === null ? null : signalName(signal));
    });
  } catch (err) {
    // No pidfd (descriptors exhausted): a child we cannot watch must not run unsupervised.
    process.kill(pid, 'SIGKILL');
    throw err;
  }
}

// A terminal's first size, until `fg` passes the size of the one it runs on.
const DEFAULT_ROWS = 24;
const DEFAULT_COLS = 80;

/**
 * tty: true. The child's three streams are the slave of a new pseudo-
 * terminal; the daemon reads the master as the child's stdout (there is no
 * separate stderr on a terminal) and writes `fg`'s keys into it.
 */
function startOnTerminal(native: SpawnAddon, req: StartRequest, given: ChildSinks): StartedProcess {
  const env = execEnv(req.env);
  const [masterFd, slave] = native.openPty(DEFAULT_ROWS, DEFAULT_COLS);
  let pid: number;
  let cgroupFd = -1;
  try {
    if (req.cgroup !== null) cgroupFd = openCgroup(req.cgroup);
    pid = native.spawn(req.file, req.argv, env, req.cwd, -1, -1, req.latencyFirst, cgroupFd, -1, slave);
  } catch (err) {
    closeSync(masterFd);
    throw err;
  } finally {
    if (cgroupFd >= 0) closeSync(cgroupFd);
  }
  const output = new OutputReaders(given);
  const sinks = output.sinks;
  const master = terminalStream(masterFd);
  master.on('data', (chunk: Buffer) => sinks.stdout(chunk));
  // Once the last holder of the slave has closed it, a read of the master
  // fails with EIO rather than reaching EOF: the end of the output all the same.
  master.on('error', () => master.destroy());
  master.once('close', () => sinks.ended('stdout'));
  output.read('stdout', master);
  const input = terminalInput(master, (rows, cols) => native.setWindowSize(masterFd, rows, cols));
  watchExit(native, pid, sinks, input);
  return { pid, output, input };
}

// One buffer for every pipe: a read and the synchronous sink call that
// consumes it finish before the event loop starts the next read. As big as
// the biggest pipe, so that one read empties a full one: a bigger pipe than
// any before gets a new buffer, and the older readers keep theirs.
let sharedReadBuffer = Buffer.allocUnsafe(1 << 16);

function readPipe(pipe: ChildPipe, sink: (chunk: Buffer) => void, ended: () => void): Socket {
  if (sharedReadBuffer.length < pipe.capacity) sharedReadBuffer = Buffer.allocUnsafe(pipe.capacity);
  // `onread` (Node 12+; missing from @types/node's socket options) reads into
  // our buffer: no 64 KiB Buffer allocated per read, and reads up to its size.
  const options = {
    fd: pipe.read,
    readable: true,
    writable: false,
    onread: { buffer: sharedReadBuffer, callback: (n: number, buffer: Buffer) => sink(buffer.subarray(0, n)) },
  };
  const socket = new Socket(options as SocketConstructorOpts);
  // EOF closes the socket; a read error (EIO) ends this stream's capture the same way.
  socket.on('error', () => socket.destroy());
  socket.once('close', () => {
    heldPipePages -= pipe.pages;
    ended();
  });
  return socket;
}

/** The daemon's end of a stdin pipe; its pages come back when it is closed. */
function writePipe(pipe: ChildPipe): Socket {
  const socket = new Socket({ fd: pipe.write, readable: false, writable: true });
  socket.once('close', () => (heldPipePages -= pipe.pages));
  return socket;
}

function startWithNode(req: StartRequest, given: ChildSinks): StartedProcess {
  if (req.input === 'terminal') {
    throw Object.assign(new Error('a terminal (tty: true) needs the spawn addon, which this daemon runs without'), { code: 'ENOTTY' });
  }
  const [argv0, ...args] = req.argv;
  const stdin = req.input === 'pipe' ? 'pipe' : 'ignore';
  const child: ChildProcess = spawn(req.file, args, { argv0, cwd: req.cwd, env: req.env, detached: true, stdio: [stdin, 'pipe', 'pipe'] });
  // exec failed inside libuv: the reason arrives as 'error' on the next tick.
  child.on('error', () => {});
  if (child.pid === undefined) throw Object.assign(new Error(`exec ${req.file} failed`), { code: 'EEXEC' });
  const output = new OutputReaders(given);
  const sinks = output.sinks;
  child.stdout?.on('data', sinks.stdout);
  child.stderr?.on('data', sinks.stderr);
  child.stdout?.once('close', () => sinks.ended('stdout'));
  child.stderr?.once('close', () => sinks.ended('stderr'));
  const input = child.stdin instanceof Socket ? pipeInput(child.stdin) : null;
  child.once('exit', (code, signal) => {
    input?.close();
    sinks.exit(code, signal);
  });
  if (child.stdout instanceof Socket) output.read('stdout', child.stdout);
  if (child.stderr instanceof Socket) output.read('stderr', child.stderr);
  return { pid: child.pid, output, input };
}
