// A Debian guest booted with systemd as its PID 1 by systemd-nspawn, and a
// way to run commands in it. On a host whose PID 1 is not systemd (CI, this
// kind of machine) nspawn cannot register with machined nor make its own
// scope, so it runs with --register=no --keep-unit from a cgroup we make for
// it, and commands enter the guest with nsenter (machinectl shell and
// systemd-run -M need a systemd host).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from './rootfs';

export interface RunResult {
  code: number | null; // null: killed at the timeout
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  timeoutMs?: number;
}

export interface Guest {
  leader: number;
  /** Runs `script` with /bin/sh in the guest, as root, in a clean environment. */
  run(script: string, options?: RunOptions): Promise<RunResult>;
  /** Like run, but a non-zero exit throws with everything the command said. */
  sh(script: string, options?: RunOptions): Promise<string>;
  /** nspawn's own output and the guest's console, for failure messages. */
  console(): string;
  close(): Promise<void>;
}

export interface BootOptions {
  rootfs: string;
  project: string; // bound read-only at /src
  name: string;
}

const CGROUP_ROOT = '/sys/fs/cgroup';
const CGROUP_PREFIX = 'taskmaster-test-';
const GUEST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export async function bootGuest(opts: BootOptions): Promise<Guest> {
  if (process.getuid?.() !== 0) throw new Error('the system test needs root (it boots a container): run it as root');
  const hostHasSystemd = existsSync('/run/systemd/system'); // sd_booted(3)
  const cgroups = hostHasSystemd ? [] : makeCgroups();

  const nspawnArgs = [
    '-q', '-b', '--volatile=overlay', '-D', opts.rootfs, '-M', opts.name,
    '--console=passive', `--bind-ro=${opts.project}:/src`,
    ...(hostHasSystemd ? [] : ['--register=no', '--keep-unit']),
  ];
  // The shell moves itself into our cgroups, then becomes nspawn: nothing of
  // the guest is ever in the host's root cgroup.
  const enter = cgroups.map((d) => `echo $$ > ${join(d, 'cgroup.procs')} || exit 97`).join('; ');
  const child = spawn('/bin/sh', ['-c', `${enter || ':'}; exec systemd-nspawn "$@"`, 'sh', ...nspawnArgs], {
    detached: true, // its own session: the guest's console never touches ours
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SYSTEMD_NSPAWN_UNIFIED_HIERARCHY: '1' },
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => void (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => void (output += c.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const onExit = (): void => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'));
  process.once('exit', onExit); // last resort if the test runner dies before the teardown

  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    process.removeListener('exit', onExit);
    await stopNspawn(child, exited);
    for (const dir of cgroups) await removeCgroup(dir);
  };

  try {
    const leader = await waitForLeader(child, () => output);
    const guest: Guest = {
      leader,
      run: (script, o) => runIn(leader, script, o?.timeoutMs ?? 60_000),
      sh: async (script, o) => {
        const r = await runIn(leader, script, o?.timeoutMs ?? 60_000);
        if (r.code !== 0) throw new Error(`in the guest: ${script}\n→ ${r.code === null ? 'timed out' : `exit ${r.code}`}\n${r.stdout}${r.stderr}`);
        return r.stdout;
      },
      console: () => output,
      close,
    };
    // Booted: every unit started (or failed). "degraded" is a boot with a
    // failed unit; the test shows which, and goes on.
    const state = await waitForBoot(leader);
    const s = state.stdout.trim();
    if (s !== 'running' && s !== 'degraded') {
      throw new Error(`the guest did not finish booting (is-system-running: ${s || state.stderr.trim() || 'timed out'})\n${output.slice(-3000)}`);
    }
    if (s === 'degraded') {
      const failed = await runIn(leader, 'systemctl --failed --no-legend --no-pager', 10_000);
      process.stderr.write(`# guest booted degraded; failed units:\n${failed.stdout}`);
    }
    return guest;
  } catch (err) {
    await close();
    throw err;
  }
}

/** The guest's PID 1 is nspawn's child; it appears as soon as nspawn set up. */
async function waitForLeader(child: ChildProcess, output: () => string): Promise<number> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`systemd-nspawn exited (${child.exitCode ?? child.signalCode}) before the guest booted:\n${output().slice(-3000)}`);
    }
    // nspawn's first child is a helper that clones the guest's init and exits;
    // under load it can be seen before it goes. The leader is the one that
    // has exec'd systemd.
    const pid = childrenOf(child.pid ?? -1).find((p) => commOf(p) === 'systemd');
    if (pid !== undefined) return pid;
    await sleep(50);
  }
  throw new Error(`systemd-nspawn started no guest within 30 s:\n${output().slice(-3000)}`);
}

/**
 * `--wait` waits for the boot to end, but only once systemd answers on its
 * bus: before that it says "offline" or cannot connect at all.
 */
async function waitForBoot(leader: number): Promise<RunResult> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const r = await runIn(leader, 'systemctl is-system-running --wait', 90_000);
    const settled = ['running', 'degraded', 'maintenance', 'stopping'].includes(r.stdout.trim());
    if (settled || Date.now() > deadline) return r;
    await sleep(100);
  }
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return ''; // gone meanwhile
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

function runIn(leader: number, script: string, timeoutMs: number): Promise<RunResult> {
  const args = ['-t', String(leader), '-a', 'env', '-i', `PATH=${GUEST_PATH}`, 'HOME=/root', 'LANG=C.UTF-8', 'SYSTEMD_PAGER=cat', '/bin/sh', '-c', script];
  return new Promise((resolve) => {
    // Its own process group: a command that signals its group (kill 0) hits
    // only itself, and a timeout kills nsenter and the command together.
    const child = spawn('nsenter', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => void (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => void (stderr += c.toString()));
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: `${stderr}cannot run nsenter: ${err.message}\n` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** SIGTERM makes nspawn shut the guest down cleanly; SIGKILL if it hangs. */
async function stopNspawn(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000).unref());
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    process.stderr.write('# systemd-nspawn ignored SIGTERM for 30 s: SIGKILL\n');
    child.kill('SIGKILL');
    await exited;
  }
}

/**
 * One cgroup per hierarchy that a process must be placed in: the cgroup2
 * tree (unified, or the only one) and, on a hybrid host, name=systemd too.
 * Leftovers of runs that died without tearing down are removed first.
 */
function makeCgroups(): string[] {
  const bases = existsSync(join(CGROUP_ROOT, 'cgroup.procs'))
    ? [CGROUP_ROOT]
    : [join(CGROUP_ROOT, 'unified'), join(CGROUP_ROOT, 'systemd')].filter((d) => existsSync(join(d, 'cgroup.procs')));
  if (bases.length === 0) throw new Error(`no cgroup hierarchy found under ${CGROUP_ROOT}`);
  for (const base of bases) {
    for (const entry of readdirSync(base)) {
      const owner = entry.startsWith(CGROUP_PREFIX) ? Number(entry.slice(CGROUP_PREFIX.length)) : NaN;
      if (Number.isInteger(owner) && owner !== process.pid && !isAlive(owner)) void removeCgroup(join(base, entry));
    }
  }
  return bases.map((base) => {
    const dir = join(base, `${CGROUP_PREFIX}${process.pid}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  });
}

/** Kills whatever is left in a cgroup tree, then removes it, deepest first. */
async function removeCgroup(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  for (let attempt = 0; attempt < 50; attempt++) {
    const dirs = subtree(dir).reverse();
    let left = 0;
    for (const d of dirs) {
      for (const pid of readPids(d)) {
        left++;
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
    }
    if (left === 0) {
      try {
        for (const d of dirs) rmdirSync(d);
        return;
      } catch {
        // a process was still leaving: try again
      }
    }
    if (attempt === 0 && existsSync(join(dir, 'cgroup.kill'))) writeFileSync(join(dir, 'cgroup.kill'), '1');
    await sleep(100);
  }
  process.stderr.write(`# could not remove the cgroup ${dir}\n`);
}

function subtree(dir: string): string[] {
  const out = [dir];
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) out.push(...subtree(join(dir, e.name)));
  return out;
}

function readPids(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
