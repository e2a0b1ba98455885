// sd_notify(3) over $NOTIFY_SOCKET: a datagram Unix socket, which Node's
// own net module cannot open — hence node-unix-socket. Without
// NOTIFY_SOCKET every call is a no-op.
import type { DgramSocket } from 'node-unix-socket';

export interface Notifier {
  readonly enabled: boolean;
  send(state: string): void;
  close(): void;
}

export type NotifyErrorSink = (message: string) => void;

export function createNotifier(env: NodeJS.ProcessEnv, onError: NotifyErrorSink): Notifier {
  const target = env.NOTIFY_SOCKET;
  if (!target) return { enabled: false, send: () => undefined, close: () => undefined };
  if (target.startsWith('@')) {
    // An abstract socket (`@name`) has no path, and node-unix-socket can only
    // address sockets by path: say so once, clearly, instead of failing at
    // every message. systemd itself hands services a path (/run/systemd/notify).
    onError(`NOTIFY_SOCKET ${target} is an abstract socket, which taskmaster cannot address (node-unix-socket sends to paths only); no sd_notify messages will be sent`);
    return { enabled: false, send: () => undefined, close: () => undefined };
  }
  const path = target;
  let socket: DgramSocket | null = null;
  let failed = false;
  const open = (): DgramSocket =>
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    new (require('node-unix-socket') as typeof import('node-unix-socket')).DgramSocket();
  // Opened now, at start, while still root: loading the addon needs a
  // root-owned place to put it, and the daemon may drop privileges later.
  try {
    socket = open();
  } catch (err) {
    failed = true;
    onError(`sd_notify to ${target} unavailable: ${(err as Error).message}`);
  }
  return {
    enabled: true,
    send(state: string) {
      try {
        socket ??= open();
        const buf = Buffer.from(state);
        socket.sendTo(buf, 0, buf.length, path, (err) => {
          if (err && !failed) {
            failed = true; // say it once, not at every watchdog ping
            onError(`sd_notify to ${target} failed: ${err.message}`);
          }
        });
      } catch (err) {
        if (!failed) onError(`sd_notify to ${target} failed: ${(err as Error).message}`);
        failed = true;
      }
    },
    close() {
      socket?.close();
      socket = null;
    },
  };
}
