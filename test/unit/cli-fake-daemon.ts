// A fake taskmasterd for the CLI tests: a real Unix socket speaking the real
// framing, validating what the CLI sends with the daemon's own parser, and
// answering from per-command handlers.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { CtlIO } from '../../src/cli/io';
import type { ErrorCode } from '../../src/protocol/errors';
import { encodeLine, LineSplitter } from '../../src/protocol/framing';
import { MAX_LINE_BYTES, PROTOCOL_VERSION, type ProcessStatus, type Request } from '../../src/protocol/messages';
import { parseRequest } from '../../src/protocol/validate';

export interface Conn {
  socket: Socket;
  reply(result: unknown): void;
  fail(code: ErrorCode, message: string): void;
  chunk(data: string): void;
  end(): void;
}

export type Handler = (req: Request, conn: Conn) => void;
export type Handlers = Partial<Record<Request['cmd'], Handler>>;

export interface FakeDaemon {
  dir: string;
  path: string;
  /** Every request but hello, in arrival order, as the daemon's parser read them. */
  requests: Request[];
  hellos: number;
  close(): Promise<void>;
}

export const reply =
  (result: unknown): Handler =>
  (_req, conn) =>
    conn.reply(result);

export async function startFakeDaemon(handlers: Handlers = {}): Promise<FakeDaemon> {
  const dir = mkdtempSync(join(tmpdir(), 'tmctl-'));
  const path = join(dir, 'd.sock');
  const sockets = new Set<Socket>();
  const daemon: FakeDaemon = { dir, path, requests: [], hellos: 0, close: async () => {} };
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const splitter = new LineSplitter(MAX_LINE_BYTES);
    socket.on('data', (data: Buffer) => {
      for (const piece of splitter.push(data)) {
        if (piece.kind !== 'line') throw new Error('CLI sent an overlong line');
        const req = parseRequest(piece.line); // throws (and fails the test) on a malformed request
        const send = (m: unknown) => void (socket.writable && socket.write(encodeLine(m)));
        const conn: Conn = {
          socket,
          reply: (result) => send({ id: req.id, ok: true, result }),
          fail: (code, message) => send({ id: req.id, ok: false, error: { code, message } }),
          chunk: (data) => send({ id: req.id, chunk: data }),
          end: () => socket.end(),
        };
        if (req.cmd === 'hello') daemon.hellos++;
        else daemon.requests.push(req);
        const handler =
          handlers[req.cmd] ??
          (req.cmd === 'hello' ? reply({ version: '9.9.9', protocol: PROTOCOL_VERSION }) : undefined);
        if (handler) handler(req, conn);
        else conn.fail('EUNKNOWNCMD', `fake daemon has no ${req.cmd}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  daemon.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  };
  return daemon;
}

export type TestIO = CtlIO & { out: () => string; err: () => string; stdinStream: PassThrough };

/** An IO with captured output, a temp home and no default config; stdin is fed by the test. */
export function testIO(over: Partial<CtlIO> = {}): TestIO {
  let out = '';
  let err = '';
  const stdinStream = new PassThrough();
  return {
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    stdin: stdinStream,
    stdinStream,
    isTTY: false,
    env: {},
    homedir: mkdtempSync(join(tmpdir(), 'tmctl-home-')),
    defaultConfigFile: join(tmpdir(), 'tmctl-no-such-dir', 'taskmaster.yaml'),
    out: () => out,
    err: () => err,
    ...over,
  };
}

export function proc(name: string, state: ProcessStatus['state'], description = ''): ProcessStatus {
  const program = name.split(':')[0]!;
  return { name, program, state, pid: null, exitcode: null, exitsignal: null, uptime_s: null, description };
}
