// The daemon's own log: pino JSON, rotated by pino-roll when a logfile is
// configured, human-readable on stderr otherwise (journald keeps it), and a
// ring of recent lines for maintail. Everything runs in the main thread:
// worker transports do not survive the single-executable build.
import pino from 'pino';
import type { DaemonSettings } from '../config/types';
import { formatLogLine } from '../protocol/log-lines';
import { LogRing } from './log-ring';
import { openSyslog } from './syslog';

export interface DaemonLogger {
  log: pino.Logger;
  ring: LogRing;
  reopen(): void;
  close(): Promise<void>;
}

interface Destination {
  write(line: string): void;
  reopen?(): void;
  end?(): void;
  flushSync?(): void;
}

export async function createLogger(settings: DaemonSettings): Promise<DaemonLogger> {
  const ring = new LogRing(5000);
  let main: Destination;
  if (settings.logfile !== null) {
    const roll = (await import('pino-roll')).default;
    main = await roll({
      file: settings.logfile,
      size: `${Math.max(1, Math.ceil(settings.logfile_maxbytes / 1024))}k`,
      limit: { count: settings.logfile_backups },
      ...(settings.logfile_frequency ? { frequency: settings.logfile_frequency } : {}),
      mkdir: true,
      sync: true, // every line is on disk when logged: nothing lost if we are killed
    });
  } else {
    main = { write: (line: string) => void process.stderr.write(formatLogLine(line) + '\n') };
  }
  // Told of a problem after the line being written (openSyslog): `log` exists by then.
  const syslog = settings.syslog ? openSyslog(settings.syslog_socket, (message) => log.warn({}, message)) : null;
  const log: pino.Logger = pino(
    { level: settings.loglevel, base: { pid: process.pid } },
    pino.multistream([
      { level: 'trace', stream: main },
      { level: 'trace', stream: ring },
      ...(syslog === null ? [] : [{ level: 'trace' as const, stream: syslog }]),
    ]),
  );
  return {
    log,
    ring,
    reopen: () => main.reopen?.(),
    close: async () => {
      main.flushSync?.();
      main.end?.();
      syslog?.close();
    },
  };
}
