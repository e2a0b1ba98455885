// Starting one child process once its command is resolved: through the
// spawn addon (posix_spawn, pidfd) when it is there, else through Node's
// child_process — a build without a C compiler has no addon, and works,
// only with slower starts (fork copies the daemon's page tables).
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { Socket, type SocketConstructorOpts } from 'node:net';
import { signalName } from '../config/signals';
import { type SpawnAddon, spawnAddon } from '../native/spawn-addon';

/** Where a child's output and exit go. A chunk is valid only during the call: the reader may reuse its buffer. */
export interface ChildSinks {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
  exit(code: number | null, signal: NodeJS.Signals | null): void;
}

export interface StartRequest {
  file: string;
  argv: string[]; // argv[0] included
  env: Record<string, string>;
  cwd: string;
  /** A lone restart, where the child starting soon matters more than the daemon carrying on. */
  latencyFirst: boolean;
}

/**
 * Starts the child in its own session (stopasgroup/killasgroup signal -pid,
 * and a terminal's Ctrl-C to the daemon does not reach it), stdin /dev/null.
 * Returns its pid; throws an errno Error when exec fails.
 */
export function startProcess(req: StartRequest, sinks: ChildSinks): number {
  const native = spawnAddon();
  return native ? startNative(native, req, sinks) : startWithNode(req, sinks);
}

/** True when exec failures are known at once (the addon), not from an early exit. */
export function startsDirectly(): boolean {
  return spawnAddon() !== null;
}

// A chatty program fills a 64 KiB pipe in one write and then waits for the
// daemon; 1 MiB lets it run ahead and lets one read move 1 MiB. Only as
// root: for other users big pipes count against a per-user limit
// (fs.pipe-user-pages-soft) past which new pipes shrink to one page.
const PIPE_CAPACITY = process.getuid?.() === 0 ? 1 << 20 : 0;

// execve's form of each environment, kept as long as its record is (the
// supervisor builds one per program config).
const envLists = new WeakMap<Record<string, string>, string[]>();

function startNative(native: SpawnAddon, req: StartRequest, sinks: ChildSinks): number {
  let env = envLists.get(req.env);
  if (env === undefined) {
    env = Object.entries(req.env).map(([k, v]) => `${k}=${v}`);
    envLists.set(req.env, env);
  }
  const pipes: number[] = [];
  let pid: number;
  try {
    const [outRead, outWrite] = native.makePipe(PIPE_CAPACITY);
    pipes.push(outRead, outWrite);
    const [errRead, errWrite] = native.makePipe(PIPE_CAPACITY);
    pipes.push(errRead, errWrite);
    pid = native.spawn(req.file, req.argv, env, req.cwd, outWrite, errWrite, req.latencyFirst);
  } catch (err) {
    for (const fd of pipes) closeSync(fd);
    throw err;
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
    throw err;
  }
  return pid;
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

function startWithNode(req: StartRequest, sinks: ChildSinks): number {
  const [argv0, ...args] = req.argv;
  const child: ChildProcess = spawn(req.file, args, { argv0, cwd: req.cwd, env: req.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  // exec failed inside libuv: the reason arrives as 'error' on the next tick.
  child.on('error', () => {});
  if (child.pid === undefined) throw Object.assign(new Error(`exec ${req.file} failed`), { code: 'EEXEC' });
  child.stdout?.on('data', sinks.stdout);
  child.stderr?.on('data', sinks.stderr);
  child.once('exit', sinks.exit);
  return child.pid;
}
