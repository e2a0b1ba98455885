// `taskmaster gateway`: the remote API's network-facing process. The daemon
// starts it as an unprivileged user and feeds it settings lines on stdin
// (settings.ts); it parses TLS and HTTP/2 and forwards each call, with the
// caller's identity, to the daemon's gateway socket. Its log is JSON lines on
// stderr, which the daemon relays into its own; stdout carries one line,
// `{"listening": {address, port}}`, once the listener is up.
import pino from 'pino';
import { encodeLine, LineSplitter } from '../protocol/framing';
import { type Gateway, startGateway } from './server';
import { parseSettings } from './settings';

// A settings line holds certificates, a CA bundle and a CRL; a large CA's CRL runs to megabytes.
const MAX_SETTINGS_BYTES = 16 * 1024 * 1024;

export async function runGateway(argv: readonly string[]): Promise<number> {
  if (argv.length > 0) {
    process.stderr.write('usage: taskmaster gateway  (taskmasterd starts it, settings on stdin)\n');
    return 1;
  }
  // Facing the network, it must never hold root: a flaw in TLS or HTTP/2
  // parsing would be a flaw as root. The daemon starts it as remote.user.
  if (process.getuid?.() === 0) {
    process.stderr.write('taskmaster gateway: refusing to run as root; taskmasterd starts it as taskmasterd.remote.user\n');
    return 1;
  }
  const log = pino({ base: { pid: process.pid } }, pino.destination({ fd: 2, sync: true }));
  let gateway: Gateway | null = null;
  let done = (_code: number): void => undefined;
  const exited = new Promise<number>((r) => (done = r));

  const apply = async (line: string): Promise<void> => {
    const parsed = parseSettings(line);
    if (!parsed.ok) {
      log.error({}, parsed.message);
      if (gateway === null) done(1);
      return;
    }
    if (gateway !== null) {
      try {
        gateway.update(parsed.settings);
        log.info({}, 'new settings in use: certificates for new connections, tokens at once');
      } catch (err) {
        log.error({ err: (err as Error).message }, `settings refused, the previous ones stay: ${(err as Error).message}`);
      }
      return;
    }
    try {
      gateway = await startGateway(
        parsed.settings,
        (r) => log.warn(r, `refused: ${r.peer}: ${r.code} (${r.reason})`),
        (s) => log.warn(s, `${s.method} for ${s.as} cut off (RESOURCE_EXHAUSTED): client stopped reading: ${s.bytes} bytes waited ${s.seconds} s`),
      );
    } catch (err) {
      log.fatal({ err: (err as Error).message }, `cannot listen on ${parsed.settings.listen.host}:${parsed.settings.listen.port}: ${(err as Error).message}`);
      done(1);
      return;
    }
    const { address, port } = gateway.address();
    // The daemon logs it (gateway-process.ts); tests read it.
    process.stdout.write(encodeLine({ listening: { address, port } }));
  };

  const split = new LineSplitter(MAX_SETTINGS_BYTES);
  let queue: Promise<void> = Promise.resolve();
  process.stdin.on('data', (chunk: Buffer) => {
    for (const piece of split.push(chunk)) {
      if (piece.kind === 'overflow') log.error({ bytes: piece.bytes }, `a settings line over ${MAX_SETTINGS_BYTES} bytes; ignored`);
      else if (piece.line.trim() !== '') queue = queue.then(() => apply(piece.line));
    }
  });
  // A signal after stdin's end still cuts the streams a graceful stop waits for.
  const stop = (now: boolean, why: string): void => {
    log.info({}, `stopping (${why})`);
    void queue.then(async () => {
      await gateway?.close(now);
      done(0);
    });
  };
  // The daemon closing our stdin (or dying) is the end: streams under way may finish.
  process.stdin.once('end', () => stop(false, 'stdin closed'));
  process.on('SIGTERM', () => stop(true, 'SIGTERM'));
  process.on('SIGINT', () => stop(true, 'SIGINT'));
  return exited;
}
