// The daemon's log to syslog as well (taskmasterd.syslog): each pino line as
// one RFC 5424 message, facility daemon, over the datagram socket at
// syslog_socket (/dev/log). A socket that is absent or refuses is said once
// in the daemon's own log, and the daemon goes on without syslog's copy.
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import type { DgramSocket } from 'node-unix-socket';

const FACILITY_DAEMON = 3;
// pino's levels → syslog severities (RFC 5424 §6.2.1): trace and debug are debug (7).
const SEVERITY: Record<number, number> = { 10: 7, 20: 7, 30: 6, 40: 4, 50: 3, 60: 2 };
const APP_NAME = 'taskmasterd';
// RFC 5424 §6.2.4: printable US-ASCII, at most 255; '-' when unknown.
const HOST = /^[\x21-\x7e]{1,255}$/.test(hostname()) ? hostname() : '-';

/** One pino JSON line as an RFC 5424 message; null for a line that is not pino's. */
export function syslogMessage(jsonLine: string, pid: number): string | null {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(jsonLine) as Record<string, unknown>;
  } catch {
    return null;
  }
  const severity = SEVERITY[entry.level as number] ?? 6;
  const time = new Date(typeof entry.time === 'number' ? entry.time : Date.now()).toISOString();
  // <PRI>VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG
  return `<${FACILITY_DAEMON * 8 + severity}>1 ${time} ${HOST} ${APP_NAME} ${pid} - - ${String(entry.msg ?? '')}`;
}

export interface SyslogSink {
  write(line: string): void;
  close(): void;
}

/** `onProblem` hears once why syslog gets nothing; it is called outside the write, so it may log. */
export function openSyslog(path: string, onProblem: (message: string) => void): SyslogSink {
  let said = false;
  const sayOnce = (message: string): void => {
    if (said) return;
    said = true;
    // Not now: the daemon's log is in the middle of writing this very line.
    setImmediate(() => onProblem(message));
  };
  if (!existsSync(path)) sayOnce(`syslog: no socket at ${path}; the daemon's log goes to syslog only once it appears`);
  let socket: DgramSocket | null = null;
  try {
    // Opened now, at start, while still root (see sd-notify.ts): the addon needs a root-owned place.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    socket = new (require('node-unix-socket') as typeof import('node-unix-socket')).DgramSocket();
  } catch (err) {
    sayOnce(`syslog: cannot open a datagram socket: ${(err as Error).message}; the daemon's log does not go to syslog`);
  }
  return {
    write(line) {
      if (socket === null) return;
      const message = syslogMessage(line.trimEnd(), process.pid);
      if (message === null) return;
      const buf = Buffer.from(message);
      try {
        socket.sendTo(buf, 0, buf.length, path, (err) => {
          if (err) sayOnce(`syslog: cannot send to ${path}: ${err.message}`);
        });
      } catch (err) {
        sayOnce(`syslog: cannot send to ${path}: ${(err as Error).message}`);
      }
    },
    close() {
      socket?.close();
      socket = null;
    },
  };
}
