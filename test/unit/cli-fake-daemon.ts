// A fake taskmasterd for the CLI tests: a real Unix socket speaking the real
// framing, validating what the CLI sends with the daemon's own parser, and
// answering from per-command handlers through the schema's JSON form.
import type { MessageInitShape } from '@bufbuild/protobuf';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { CtlIO } from '../../src/cli/io';
import { runCtl } from '../../src/cli/main';
import { ProcessState, type ProcessStatusSchema, VersionResponseSchema } from '../../src/gen/taskmaster/v1/control_pb';
import { COMMANDS, type CommandName } from '../../src/protocol/commands';
import type { ErrorCode } from '../../src/protocol/errors';
import { encodeLine, LineSplitter } from '../../src/protocol/framing';
import { MAX_LINE_BYTES, PROTOCOL_VERSION } from '../../src/protocol/messages';
import { parseRequest, type Request, toWire } from '../../src/protocol/wire';

export interface Conn {
  socket: Socket;
  /** The command's output, as a plain object of its fields (the schema's init shape). */
  reply(result: Record<string, unknown>): void;
  fail(code: ErrorCode, message: string): void;
  /** One item of a stream (its output message's fields). */
  item(value: Record<string, unknown>): void;
  /** The stream's end: `{"ok": true, "result": {}}`. */
  done(): void;
  /** Hangs up. */
  end(): void;
}

export type Handler = (req: Request, conn: Conn) => void;
export type Handlers = Partial<Record<CommandName | 'hello', Handler>>;

export interface FakeDaemon {
  dir: string;
  path: string;
  /** Every request but hello, in arrival order, as the CLI wrote it (the daemon's parser accepted each). */
  requests: Record<string, unknown>[];
  hellos: number;
  close(): Promise<void>;
}

export const reply =
  (result: Record<string, unknown>): Handler =>
  (_req, conn) =>
    conn.reply(result);

/** A stream of these `data` items, then its end. */
export const items =
  (...data: string[]): Handler =>
  (_req, conn) => {
    for (const d of data) conn.item({ data: d });
    conn.done();
  };

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
        const output = req.cmd === 'hello' ? VersionResponseSchema : COMMANDS.get(req.cmd)!.output;
        const send = (m: unknown) => void (socket.writable && socket.write(encodeLine(m)));
        const conn: Conn = {
          socket,
          reply: (result) => send({ id: req.id, ok: true, result: toWire(output, result as never) }),
          fail: (code, message) => send({ id: req.id, ok: false, error: { code, message } }),
          item: (value) => send({ id: req.id, item: toWire(output, value as never) }),
          done: () => send({ id: req.id, ok: true, result: {} }),
          end: () => socket.end(),
        };
        if (req.cmd === 'hello') daemon.hellos++;
        else daemon.requests.push(JSON.parse(piece.line) as Record<string, unknown>);
        const handler =
          handlers[req.cmd] ?? (req.cmd === 'hello' ? reply({ version: '9.9.9', protocol: PROTOCOL_VERSION }) : undefined);
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

export type StateName = Exclude<keyof typeof ProcessState, number>;

/** A status row as the daemon builds it: `pid` and the rest unset unless given. */
export function proc(
  name: string,
  state: StateName,
  description = '',
  over: MessageInitShape<typeof ProcessStatusSchema> = {},
): MessageInitShape<typeof ProcessStatusSchema> & { name: string; program: string } {
  const program = name.split(':')[0]!;
  return { name, program, state: ProcessState[state], description, ...over };
}

/** One taskmasterctl run (`-s` the fake daemon's socket, then `argv`) against a fake daemon started for it with `handlers`. */
export async function runAgainst(handlers: Handlers, argv: string[]) {
  const d = await startFakeDaemon(handlers);
  const io = testIO();
  try {
    const code = await runCtl(['-s', d.path, ...argv], io);
    return { code, out: io.out(), err: io.err(), requests: d.requests };
  } finally {
    await d.close();
  }
}
