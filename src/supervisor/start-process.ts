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

export interface StartRequest {
  file: string;
  argv: string[]; // argv[0] included
  env: Record<string, string>;
  cwd: string;
  /** A lone restart, where the child starting soon matters more than the daemon carrying on. */
  latencyFirst: boolean;
  /** The cgroup directory to start the child in (cgroup mode, addon only); null: the daemon's. */
  cgroup: string | null;
}

/** A child started, and the daemon's readers of its two output pipes. */
export interface StartedProcess {
  pid: number;
  output: OutputReaders;
}

/**
 * Starts the child in its own session (stopasgroup/killasgroup signal -pid,
 * and a terminal's Ctrl-C to the daemon does not reach it), stdin /dev/null.
 * Throws an errno Error when exec fails.
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

function startNative(native: SpawnAddon, req: StartRequest, given: ChildSinks): StartedProcess {
  let env = envLists.get(req.env);
  if (env === undefined) {
    env = Object.entries(req.env).map(([k, v]) => `${k}=${v}`);
    envLists.set(req.env, env);
  }
  const pipes: ChildPipe[] = [];
  let pid: number;
  let cgroupFd = -1;
  try {
    pipes.push(makeChildPipe(native));
    pipes.push(makeChildPipe(native));
    if (req.cgroup !== null) cgroupFd = openSync(req.cgroup, constants.O_RDONLY | constants.O_DIRECTORY);
    pid = native.spawn(req.file, req.argv, env, req.cwd, pipes[0]!.write, pipes[1]!.write, req.latencyFirst, cgroupFd);
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
  const [stdout, stderr] = pipes as [ChildPipe, ChildPipe];
  // The child holds the write ends now; ours would keep the pipes from ever reaching EOF.
  closeSync(stdout.write);
  closeSync(stderr.write);
  const output = new OutputReaders(given);
  const sinks = output.sinks;
  output.read('stdout', readPipe(stdout, sinks.stdout, () => sinks.ended('stdout')));
  output.read('stderr', readPipe(stderr, sinks.stderr, () => sinks.ended('stderr')));
  try {
    native.watchExit(pid, (code, signal) => sinks.exit(code, signal === null ? null : signalName(signal)));
  } catch (err) {
    // No pidfd (descriptors exhausted): a child we cannot watch must not run unsupervised.
    process.kill(pid, 'SIGKILL');
    throw err;
  }
  return { pid, output };
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

function startWithNode(req: StartRequest, given: ChildSinks): StartedProcess {
  const [argv0, ...args] = req.argv;
  const child: ChildProcess = spawn(req.file, args, { argv0, cwd: req.cwd, env: req.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  // exec failed inside libuv: the reason arrives as 'error' on the next tick.
  child.on('error', () => {});
  if (child.pid === undefined) throw Object.assign(new Error(`exec ${req.file} failed`), { code: 'EEXEC' });
  const output = new OutputReaders(given);
  const sinks = output.sinks;
  child.stdout?.on('data', sinks.stdout);
  child.stderr?.on('data', sinks.stderr);
  child.stdout?.once('close', () => sinks.ended('stdout'));
  child.stderr?.once('close', () => sinks.ended('stderr'));
  child.once('exit', sinks.exit);
  if (child.stdout instanceof Socket) output.read('stdout', child.stdout);
  if (child.stderr instanceof Socket) output.read('stderr', child.stderr);
  return { pid: child.pid, output };
}
