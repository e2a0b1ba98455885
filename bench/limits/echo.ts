// Starting the echo server, and a client that sends a line and waits for it back.
import { spawn } from 'node:child_process';
import { connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { track, untrack } from '../lib/cleanup';

export interface EchoServer {
  socket: string;
  stop(): Promise<void>;
}

export function startEchoServer(dir: string): Promise<EchoServer> {
  const socket = join(dir, 'echo.sock');
  const child = spawn(process.execPath, [join(__dirname, 'echo-server.js'), socket], { stdio: ['ignore', 'pipe', 'inherit'] });
  track(child.pid);
  const exited = new Promise<void>((r) => child.once('exit', () => (untrack(child.pid), r())));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', () =>
      resolve({
        socket,
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      }),
    );
  });
}

export interface EchoClient {
  /** Sends `line` (newline-terminated) and resolves when as many bytes came back. */
  roundTrip(line: string): Promise<void>;
  close(): void;
}

export async function echoConnect(path: string): Promise<EchoClient> {
  const sock: Socket = await new Promise((resolve, reject) => {
    const s = netConnect(path);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
  let want = 0;
  let done: (() => void) | null = null;
  let fail: ((e: Error) => void) | null = null;
  sock.on('data', (c: Buffer) => {
    want -= c.length;
    if (want <= 0 && done) done();
  });
  sock.on('error', (e) => fail?.(e));
  return {
    roundTrip: (line) =>
      new Promise((resolve, reject) => {
        want = Buffer.byteLength(line);
        done = resolve;
        fail = reject;
        sock.write(line);
      }),
    close: () => sock.destroy(),
  };
}
