// taskmasterd's composition root: umask → logger → sockets → privilege drop
// → remote API gateway → autostart → READY=1; then signals and the socket drive reload, log
// reopening and shutdown.
import { randomBytes } from 'node:crypto';
import { mkdirSync, unlinkSync } from 'node:fs';
import type { Server } from 'node:net';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { jobsDir } from '../config/daemon-fields';
import type { Config } from '../config/types';
import { openJobManager } from '../jobs/daemon-jobs';
import { jobsControl } from './jobs-control';
import { tokensFileOf } from '../config/remote-fields';
import { remoteIdentityOf } from '../tokens/token-identity';
import { TokenStore } from '../tokens/token-store';
import { LINK_KEY_BYTES } from '../protocol/log-link';
import { type Identity, LINK_IDENTITY } from '../authz/identity';
import type { ErrorInfo } from '../protocol/errors';
import { spawnAddonMissing } from '../native/spawn-addon';
import { createNotifier } from '../notify/sd-notify';
import { notifySocket } from '../readiness/notify-socket';
import type { DaemonControl } from '../server/control';
import { serveConnection } from '../server/connection';
import { listenControlSocket } from '../server/socket-server';
import { stopAll } from '../supervisor/actions';
import { readLastLinesOf } from '../supervisor/log-tail';
import { osClock, osSignaller, osSpawner } from '../supervisor/os-edges';
import { detachEscape } from '../supervisor/detach-scope';
import { applyPrograms } from '../supervisor/reload';
import { Supervisor } from '../supervisor/supervisor';
import { VERSION } from '../version';
import { osGatewayEdges } from './gateway-edges';
import { RemoteApi } from './gateway-remote';
import { createLogger } from './logger';
import { processStatsOf } from './process-stats';
import { keepStatusCurrent, startWatchdog, statusSummary } from './notify-status';
import { chownSocket, dropPrivileges, dropTarget, prepareDirsFor } from './privileges';
import { Reloader } from './reloader';
import { rolledFiles } from './rolled-files';
import { keepStateFile, readStateFile, stopLeftovers } from './state-file';
import { intentFileIn, keepIntentFile, readIntentFile } from './intent-file';
import { type DaemonCgroups, NO_CGROUPS } from '../cgroups/daemon-cgroups';
import { describeSupport, limitRefusalOf } from '../cgroups/detect';
import { cgroupEdge, NO_CGROUPS as NO_CGROUP_EDGE } from '../supervisor/cgroup-edge';
import { EventBus } from '../events/bus';
import { osHookEdges } from '../hooks/hook-edges';
import { HookRunner } from '../hooks/hook-runner';
import { Reactions } from '../hooks/reactions';
import { setTimeout as sleep } from 'node:timers/promises';

// At shutdown, how long hooks still running (an on_fatal alert) may take before the daemon exits without them.
const HOOK_DRAIN_MS = 15_000;

export async function serve(initial: Config, cgroups: DaemonCgroups = NO_CGROUPS): Promise<number> {
  const settings = initial.daemon;
  if (settings.umask !== null) process.umask(settings.umask);
  const logger = await createLogger(settings);
  const log = logger.log;
  const notifier = createNotifier(process.env, (message) => log.warn({}, message));
  const now = (): number => performance.now();
  // Before any privilege drop: as root the addon is written to /var/lib/taskmaster.
  const noSpawnAddon = spawnAddonMissing();
  mkdirSync(settings.childlogdir, { recursive: true });
  mkdirSync(jobsDir(settings), { recursive: true, mode: 0o700 });
  prepareDirsFor(settings, [settings.childlogdir, jobsDir(settings), ...(settings.logfile ? [dirname(settings.logfile)] : [])]);
  const escape = detachEscape(log);
  const cgroupOps = cgroups.tree === null ? NO_CGROUP_EDGE : cgroupEdge(cgroups.tree, (dir, message) => log.error({ cgroup: dir }, message));
  // `ready: notify` programs' sd_notify socket, beside the control socket.
  // Bound now, while still root, when the config has such programs; else
  // at the first one a reload brings (which a privilege drop may prevent).
  const notify = notifySocket(join(dirname(settings.socket), 'programs-notify.sock'));
  if (initial.programs.some((p) => p.ready?.kind === 'notify')) {
    const opened = notify.open();
    if (opened.ok) log.info({ socket: opened.path }, `notify socket for ready: notify programs at ${opened.path}`);
    else log.error({ why: opened.why }, `no notify socket for ready: notify programs: ${opened.why}`);
  }
  const events = new EventBus((err, event) => log.error({ err: err.stack }, `BUG: a listener of ${event.type} events threw: ${err.message}`));
  const supervisor = new Supervisor({
    events,
    clock: osClock(now),
    spawner: osSpawner(),
    signaller: osSignaller,
    log,
    childlogdir: settings.childlogdir,
    baseEnv: process.env,
    detachEscape: escape,
    cgroups: cgroupOps,
    readiness: { notify },
  });
  const jobs = openJobManager(
    settings,
    { clock: osClock(now), spawner: osSpawner(), signaller: osSignaller, cgroups: cgroupOps, refuseLimit: limitRefusalOf(cgroups.support) },
    log,
  );
  let remote: RemoteApi | null = null;
  const reloader = new Reloader(
    initial,
    supervisor,
    log,
    notifier,
    (next) => {
      jobs.forgetAccounts(); // a reload may follow a change to /etc/passwd, as for programs
      hookEdges.forgetAccounts();
      reactions.refresh(); // hooks removed: stop listening
      if (remote) remote.reloaded(next.daemon);
      else RemoteApi.reloadedWithout(next.daemon, log);
    },
    limitRefusalOf(cgroups.support),
    (next) => reactions.listenFor(next), // hooks added: listening already while the reload starts their programs
  );

  const hookEdges = osHookEdges(process.env);
  const hooks = new HookRunner(hookEdges, log);
  const reactions = new Reactions({
    bus: events,
    config: () => reloader.config,
    programOf: (process) => supervisor.get(process)?.program,
    runner: hooks,
    log,
    shutdown: (why, code) => void shutdown(why, code),
  });

  let stopping = false;
  let server: Server | null = null;
  let exitWith: (code: number) => void = () => undefined;
  const exited = new Promise<number>((r) => (exitWith = r));

  const shutdown = async (why: string, code = 0): Promise<void> => {
    if (stopping) return;
    stopping = true;
    notifier.send('STOPPING=1');
    log.info({ why }, `shutting down (${why}): stopping every program`);
    await reloader.idle();
    await remote?.stop(); // first: no remote call arrives while the programs stop
    // Jobs end with the daemon that runs them (as in the job runners this follows): no one could see or stop them after.
    await Promise.all([stopAll(supervisor, supervisor.list(), true), jobs.stopAll()]);
    await supervisor.groupsReaped();
    await escape.settled(); // a process detached just now leaves the service before the service ends
    // A pipe that a leftover grandchild keeps open never reaches EOF: the
    // unfinished last lines held back for rotation are written before exit.
    for (const s of supervisor.list()) {
      s.stdout.flush();
      s.stderr.flush();
    }
    // Hooks under way (the on_fatal alert of a fatal_action) finish first, within a bound.
    const drained = await Promise.race([hooks.idle().then(() => true), sleep(HOOK_DRAIN_MS, false, { ref: false })]);
    if (!drained) log.warn({}, `hooks still running after ${HOOK_DRAIN_MS / 1000}s; exiting without them`);
    server?.close();
    notify.close();
    try {
      unlinkSync(settings.socket);
    } catch {
      // already gone, or not ours to remove after a privilege drop
    }
    log.info({}, 'all programs stopped; exiting');
    await logger.close();
    exitWith(code);
  };

  const logfile = settings.logfile;
  // Drawn anew at each start and kept in memory only: a restart voids every log link.
  const linkKey = randomBytes(LINK_KEY_BYTES);
  const control: DaemonControl = {
    supervisor,
    config: () => reloader.config,
    reload: (dryRun) => (dryRun === true ? reloader.preview() : reloader.reload()),
    shutdown: () => void shutdown('shutdown requested over the socket'),
    shuttingDown: () => stopping,
    mainLog: {
      last: (lines) => (logfile ? readLastLinesOf(rolledFiles(logfile), lines) : logger.ring.last(lines)),
      follow: (listener) => logger.ring.follow(listener),
    },
    log,
    version: VERSION,
    now,
    wallNow: () => Date.now(),
    jobs: jobsControl(jobs),
    processStats: processStatsOf(now, log, cgroupOps),
    tokens: null, // opened below, in the start's try: a damaged tokens file stops the start
    logLinks: () => (remote === null ? null : { key: linkKey, origin: remote.linkOrigin() }),
  };

  try {
    // Before the socket answers: a createToken must find the store.
    const tokens = settings.remote === null ? null : TokenStore.open(tokensFileOf(settings.remote, settings.childlogdir));
    control.tokens = tokens;
    server = await listenControlSocket(settings.socket, settings.socket_mode, control);
    if (settings.socket_owner !== null) chownSocket(settings.socket, settings.socket_owner);
    // Each request's identity is looked up in the config and tokens of the
    // moment; a log link made on the local socket is downloaded as
    // LINK_IDENTITY, which no config entry need name.
    const gatewayIdentity = (as: string): Identity | ErrorInfo | null =>
      remoteIdentityOf(as, reloader.config.daemon.remote?.users ?? {}, tokens, Date.now()) ?? (as === LINK_IDENTITY.name ? LINK_IDENTITY : null);
    remote = await RemoteApi.open(settings, log, linkKey, (socket) => serveConnection(socket, control, { gateway: true, identityOf: gatewayIdentity }), tokens);
    const target = dropTarget(settings);
    // After the drop the daemon still makes, limits and kills its programs' cgroups.
    if (target !== null) cgroups.tree?.handTo(target.uid, target.gid);
    if (settings.user !== null) {
      const { uid, gid } = dropPrivileges(settings.user);
      log.info({ user: settings.user, uid, gid }, `dropped privileges to ${settings.user}`);
    }
    remote?.start(osGatewayEdges(now));
  } catch (err) {
    log.fatal({ err: (err as Error).message }, (err as Error).message);
    process.stderr.write(`taskmasterd: ${(err as Error).message}\n`);
    server?.close();
    await remote?.stop();
    await logger.close();
    return 1;
  }

  process.on('SIGHUP', () => {
    if (!stopping) reloader.reload().catch(() => undefined); // a refusal is logged by the reloader
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
  process.on('uncaughtException', (err) => {
    // A bug. Stop the programs in order and exit non-zero; systemd restarts us.
    log.fatal({ err: err.stack }, `BUG: uncaught exception: ${err.message}`);
    void shutdown('internal error', 70);
  });

  log.info({ version: VERSION, pid: process.pid, config: initial.file, socket: settings.socket }, `taskmasterd ${VERSION} started`);
  // Either way one line, so a user (and make vagrant-test) can see which path runs.
  if (noSpawnAddon !== null) log.warn({ why: noSpawnAddon }, `spawning through Node's child_process (slower starts): ${noSpawnAddon}`);
  else log.info({}, 'spawning with the spawn addon (posix_spawn + pidfd)');
  // Once at start: a host without limits says why, and which mode the processes are in.
  if (cgroups.support.ok) log.info({ cgroup: cgroups.support.base, controllers: cgroups.support.controllers }, describeSupport(cgroups.support));
  else log.warn({ why: cgroups.support.reason }, describeSupport(cgroups.support));
  // Only now, with the socket ours (no other daemon answers on it), is what
  // the state file names certainly left over from a dead daemon.
  const stateFile = join(dirname(settings.socket), 'taskmasterd.state');
  await stopLeftovers(readStateFile(stateFile), (e, what) => log.warn({ process: e.name, pid: e.pid }, what));
  // The cgroup mode's own record of the same: whatever a dead daemon's programs and jobs left, setsid'd grandchildren included.
  for (const dir of cgroupOps.clearLeftovers()) log.warn({ cgroup: dir }, `killed what an earlier taskmasterd left in ${dir}`);
  const stopStateFile = keepStateFile(stateFile, supervisor, (message) => log.error({}, message));
  reactions.refresh(); // before the first start: its hooks see every event
  // What an operator stopped by hand stays stopped (until started by hand, or its config changes).
  const intentFile = intentFileIn(settings.childlogdir);
  const remembered = readIntentFile(intentFile, (message) => log.warn({}, message));
  await applyPrograms(supervisor, [], initial.programs, remembered);
  for (const slot of supervisor.list()) if (slot.stoppedByHand) log.info({ process: slot.name }, `${slot.name}: stopped by hand before; not started`);
  const stopIntentFile = keepIntentFile(intentFile, supervisor, (message) => log.error({}, message));
  // READY only now: the socket answers and every autostart program is launched.
  notifier.send(`READY=1\nSTATUS=${statusSummary(supervisor)}\nMAINPID=${process.pid}`);
  const stopStatus = keepStatusCurrent(supervisor, notifier);
  const stopWatchdog = startWatchdog(process.env, notifier);
  const code = await exited;
  stopStatus();
  stopWatchdog();
  stopStateFile();
  stopIntentFile();
  notifier.close();
  return code;
}
