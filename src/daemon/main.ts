// taskmasterd's composition root: config → logger → supervisor → socket →
// autostart, then signals drive reload, log reopening and shutdown.
import { mkdirSync, unlinkSync } from 'node:fs';
import type { Server } from 'node:net';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { diffDaemon } from '../config/diff';
import { formatIssues } from '../config/format';
import { loadConfig } from '../config/load';
import type { Config } from '../config/types';
import { TaskmasterError } from '../protocol/errors';
import type { ReloadDiff } from '../protocol/messages';
import type { DaemonControl } from '../server/control';
import { listenControlSocket } from '../server/socket-server';
import { stopAll } from '../supervisor/actions';
import { applyPrograms } from '../supervisor/reload';
import { Supervisor } from '../supervisor/supervisor';
import { VERSION } from '../version';
import { DAEMON_USAGE, parseDaemonArgs } from './args';
import { createLogger } from './logger';

export async function runDaemon(argv: readonly string[]): Promise<number> {
  const parsed = parseDaemonArgs(argv);
  if (!parsed.ok) {
    process.stderr.write(`taskmasterd: ${parsed.message}\n${DAEMON_USAGE}\n`);
    return 1;
  }
  const { args } = parsed;
  if (args.help) return void process.stdout.write(`${DAEMON_USAGE}\n`), 0;
  if (args.version) return void process.stdout.write(`taskmasterd ${VERSION}\n`), 0;

  const file = resolve(args.config);
  const loaded = loadConfig(file);
  if (loaded.warnings.length > 0) process.stderr.write(`${formatIssues(loaded.warnings)}\n`);
  if (!loaded.ok) {
    process.stderr.write(`${formatIssues(loaded.errors)}\ntaskmasterd: ${file}: ${loaded.errors.length} error(s); nothing started\n`);
    return 1;
  }
  if (args.check) {
    process.stdout.write(`${file}: OK (${loaded.config.programs.length} programs)\n`);
    return 0;
  }
  return serve(loaded.config);
}

async function serve(initial: Config): Promise<number> {
  let config = initial;
  const logger = await createLogger(config.daemon);
  const log = logger.log;
  const now = (): number => performance.now();
  mkdirSync(config.daemon.childlogdir, { recursive: true });
  const supervisor = new Supervisor({ now, log, childlogdir: config.daemon.childlogdir, baseEnv: process.env });

  let stopping = false;
  let reloads: Promise<unknown> = Promise.resolve();
  let server: Server | null = null;
  let exitWith: (code: number) => void = () => undefined;
  const exited = new Promise<number>((r) => (exitWith = r));

  const reload = (): Promise<ReloadDiff> => {
    const next = reloads.then(() => applyReload());
    reloads = next.catch(() => undefined); // one failed reload does not block the next
    return next;
  };
  const applyReload = async (): Promise<ReloadDiff> => {
    log.info({ file: config.file }, 'reloading config');
    const loaded = loadConfig(config.file);
    if (!loaded.ok) {
      const text = formatIssues(loaded.errors);
      log.error({ errors: loaded.errors.length }, `reload refused, nothing changed:\n${text}`);
      throw new TaskmasterError('EBADCONFIG', `${text}\n${config.file}: ${loaded.errors.length} error(s); nothing changed`);
    }
    for (const w of loaded.warnings) log.warn({ file: w.file, line: w.line }, w.message);
    const next = loaded.config;
    const daemonChanged = diffDaemon(config.daemon, next.daemon);
    if (daemonChanged.includes('loglevel')) log.level = next.daemon.loglevel;
    const needRestart = daemonChanged.filter((k) => k !== 'loglevel');
    if (needRestart.length > 0) log.warn({ keys: needRestart }, `taskmasterd settings ${needRestart.join(', ')} take effect at the next daemon start`);
    const diff = await applyPrograms(supervisor, config.programs, next.programs);
    config = { ...next, daemon: { ...config.daemon, loglevel: next.daemon.loglevel } };
    log.info({ diff }, `reloaded: added [${diff.added}] removed [${diff.removed}] restarted [${diff.restarted}] updated [${diff.updated}]`);
    return diff;
  };

  const shutdown = async (why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ why }, `shutting down (${why}): stopping every program`);
    await reloads;
    await stopAll(supervisor, supervisor.list(), true);
    server?.close();
    try {
      unlinkSync(config.daemon.socket);
    } catch {
      // already gone
    }
    log.info({}, 'all programs stopped; exiting');
    await logger.close();
    exitWith(0);
  };

  const control: DaemonControl = {
    supervisor,
    config: () => config,
    reload,
    shutdown: () => void shutdown('shutdown requested over the socket'),
    shuttingDown: () => stopping,
    ring: logger.ring,
    log,
    version: VERSION,
    now,
  };

  try {
    server = await listenControlSocket(config.daemon.socket, config.daemon.socket_mode, control);
  } catch (err) {
    log.fatal({ err: (err as Error).message }, (err as Error).message);
    process.stderr.write(`taskmasterd: ${(err as Error).message}\n`);
    await logger.close();
    return 1;
  }

  process.on('SIGHUP', () => {
    if (!stopping) reload().catch(() => undefined); // the refusal is logged by applyReload
  });
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGUSR2', () => {
    logger.reopen();
    for (const s of supervisor.list()) {
      s.stdout.reopen();
      s.stderr.reopen();
    }
    log.info({}, 'log files reopened (SIGUSR2)');
  });

  log.info({ version: VERSION, pid: process.pid, config: config.file, socket: config.daemon.socket }, `taskmasterd ${VERSION} started`);
  await applyPrograms(supervisor, [], config.programs);
  return exited;
}
