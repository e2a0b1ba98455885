// PM2 (npm `pm2`, installed by bench/deps.sh into bench/.cache/pm2): its
// daemon ("God") with its own PM2_HOME in the temp dir, started by
// `pm2 start ecosystem.json`; its RPC (axon req/rep on PM2_HOME/rpc.sock)
// spoken with PM2's own vendored axon modules; the `pm2` CLI.
// Two columns: `pm2` as installed (its defaults: treekill, which runs `ps` to
// find a process's children before each kill, and two actions at a time), and
// `pm2-tuned`, configured as PM2's own docs offer for many apps (TUNED).
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { track } from '../lib/cleanup';
import { PM2_DIR } from '../lib/paths';
import { run, runOk } from '../lib/run';
import { waitFor } from '../lib/time';
import { recordPids, startDaemon, stopDaemon } from './launch';
import type { Daemon, ProcInfo, ProgramSpec, RawClient, Supervisor } from './types';

const PM2_BIN = join(PM2_DIR, 'bin/pm2');
const nodeOf: Record<'pm2' | 'pm2-tuned', string> = { pm2: process.execPath, 'pm2-tuned': process.execPath };

/**
 * Runs each PM2 column (daemon and CLI) on a copy of node that nothing else
 * runs, as taskmaster runs on its own executable: otherwise the bench's own
 * node (or the other PM2 column's daemon, idle beside it in the same window)
 * shares the executable's pages with PM2's daemon, and they would drop out of
 * its USS (and halve in its PSS) while taskmaster's count in full.
 */
export function snapshotNode(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const name of ['pm2', 'pm2-tuned'] as const) {
    nodeOf[name] = join(dir, `node-for-${name}`);
    copyFileSync(process.execPath, nodeOf[name]);
  }
}

/**
 * PM2 tuned for many apps, from its own options (lib/API/schema.json,
 * lib/binaries/CLI.js, constants.js of the installed PM2):
 * - `treekill: false` (CLI `--no-treekill`, "Only kill the main process, not
 *   detached children"): the programs here have no children, and with
 *   treekill every stop first lists all processes with `ps`;
 * - PM2_CONCURRENT_ACTIONS=10 (default 2; the CLI's `--parallel` for
 *   restart/reload): the parallelism PM2 itself uses for its bulk delete
 *   (lib/API.js, deleteProcessId). It is read by both the CLI and the daemon.
 * kill_timeout stays at the stoptime every supervisor gets.
 */
const TUNED = { env: { PM2_CONCURRENT_ACTIONS: '10' }, app: { treekill: false } };

interface RpcClient {
  call(method: string, ...args: unknown[]): void;
}

/** PM2 has no start delay: it calls a process online once spawned. starttime maps to min_uptime,
 *  the uptime under which an exit counts as an unstable restart (max_restarts, like startretries). */
function ecosystem(dir: string, programs: ProgramSpec[], tuned: boolean): unknown {
  const apps = [];
  for (const p of programs) {
    if (p.stdout && p.stdout.maxbytes > 0) throw new Error('PM2 has no log rotation of its own (pm2-logrotate is a separate module)');
    for (let i = 0; i < p.numprocs; i++) {
      apps.push({
        name: p.numprocs > 1 ? `${p.name}_${i}` : p.name,
        script: p.argv[0],
        args: p.argv.slice(1),
        interpreter: 'none',
        exec_mode: 'fork',
        autorestart: p.autorestart,
        min_uptime: p.starttime * 1000,
        max_restarts: 3,
        kill_timeout: 10_000,
        merge_logs: true,
        ...(tuned ? TUNED.app : {}),
        ...(p.stdout ? { out_file: p.stdout.file, error_file: join(dir, 'logs', `${p.name}-err.log`) } : {}),
      });
    }
  }
  return { apps };
}

async function connectTo(home: string): Promise<RawClient> {
  const axon = require(join(PM2_DIR, 'modules/pm2-axon'));
  const rpc = require(join(PM2_DIR, 'modules/pm2-axon-rpc'));
  const sock = axon.socket('req');
  const client = new rpc.Client(sock) as RpcClient;
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
    sock.connect(join(home, 'rpc.sock'));
  });
  const call = <T>(method: string, ...args: unknown[]): Promise<T> =>
    new Promise((resolve, reject) => client.call(method, ...args, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))));
  try {
    await call('getVersion', {});
  } catch (err) {
    sock.close();
    throw err;
  }
  const raw: RawClient = {
    status: async () => {
      const list = await call<{ name: string; pid: number; pm2_env: { status: string } }[]>('getMonitorData', {});
      return list.map(
        (p): ProcInfo => ({
          name: p.name,
          running: p.pm2_env.status === 'online',
          stopped: p.pm2_env.status === 'stopped' || p.pm2_env.status === 'errored',
          pid: p.pid > 0 ? p.pid : null,
        }),
      );
    },
    // PM2 has no call for one process: its own `pm2 describe NAME` takes the whole list and filters it.
    statusOne: async (name) => {
      const one = (await raw.status()).find((p) => p.name === name);
      if (!one) throw new Error(`getMonitorData: no process ${name}`);
      return one;
    },
    close: () => sock.close(),
  };
  return raw;
}

const makePm2 = (name: 'pm2' | 'pm2-tuned'): Supervisor => ({
  name,
  missing: () => (existsSync(PM2_BIN) ? null : 'PM2 is not installed: bench/deps.sh installs it into bench/.cache/pm2'),
  version: () => (JSON.parse(readFileSync(join(PM2_DIR, 'package.json'), 'utf8')) as { version: string }).version,
  launch(dir, programs, opts = {}): Daemon {
    mkdirSync(join(dir, 'logs'), { recursive: true });
    const home = join(dir, 'pm2home');
    mkdirSync(home, { recursive: true });
    const tuned = name === 'pm2-tuned';
    const node = nodeOf[name];
    const env = { ...process.env, PM2_HOME: home, ...(tuned ? TUNED.env : {}) };
    const eco = join(dir, 'ecosystem.json');
    writeFileSync(eco, JSON.stringify(ecosystem(dir, programs, tuned), null, 1));
    // The CLI starts the daemon (detached, inheriting the CLI's limits) and the apps, then exits.
    const cli = startDaemon([node, PM2_BIN, 'start', eco, '--silent'], join(dir, 'pm2-start.out'), env, opts.nofile);
    const seen = new Set<number>();
    let daemonPid: number | undefined;
    const pid = async (): Promise<number> => {
      daemonPid ??= await waitFor('pm2.pid', 60_000, 10, () => {
        const text = existsSync(join(home, 'pm2.pid')) ? readFileSync(join(home, 'pm2.pid'), 'utf8').trim() : '';
        return text ? Number(text) : undefined;
      });
      track(daemonPid);
      return daemonPid;
    };
    void pid().catch(() => undefined);
    const ctl = (...args: string[]) => ({ argv: [node, PM2_BIN, ...args], env });
    return {
      pid,
      connect: async () => {
        const c = await connectTo(home);
        return { status: async () => recordPids(seen, await c.status()), statusOne: c.statusOne, close: c.close };
      },
      // PM2 keeps no config to diff: the changed app is named, and restarted from the new file.
      reload: async (next, changed) => {
        writeFileSync(eco, JSON.stringify(ecosystem(dir, next, tuned), null, 1));
        await runOk([node, PM2_BIN, 'startOrRestart', eco, '--only', changed, '--silent'], { env, timeoutMs: 600_000 });
      },
      statusCli: () => ctl('status'),
      stopAllCli: () => ctl('stop', 'all'),
      shutdown: async () => {
        await new Promise<void>((r) => (cli.exitCode !== null || cli.signalCode !== null ? r() : cli.once('exit', () => r())));
        await run([node, PM2_BIN, 'kill'], { env, timeoutMs: 60_000 }).catch(() => undefined);
        await stopDaemon(daemonPid, seen);
      },
    };
  },
});

export const pm2 = makePm2('pm2');
export const pm2Tuned = makePm2('pm2-tuned');
