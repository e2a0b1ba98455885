// The guest's root file system: a minimal Debian with systemd and make, and
// deliberately no Node (the single executable must run without it). Made
// once by mmdebstrap (about 20 s, 210 MB) and cached, keyed by a hash of
// everything that goes into it, so a changed package list makes a new one.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const GUEST_SPEC = {
  suite: 'bookworm',
  variant: 'minbase',
  mirror: 'http://deb.debian.org/debian',
  // libstdc++6: the single executable links it. util-linux (setpriv),
  // passwd (gpasswd) and libc-bin (getent) come with minbase.
  packages: ['systemd', 'systemd-sysv', 'dbus', 'make', 'libstdc++6'],
} as const;

export const CACHE_DIR = process.env.TASKMASTER_TEST_CACHE ?? '/var/cache/taskmaster-test';

function rootfsName(): string {
  const hash = createHash('sha256').update(JSON.stringify(GUEST_SPEC)).digest('hex').slice(0, 12);
  return `rootfs-${hash}`;
}

/** The cached rootfs, made first if missing. `say` reports what takes time. */
export async function ensureRootfs(say: (line: string) => void): Promise<string> {
  const name = rootfsName();
  const dir = join(CACHE_DIR, name);
  if (existsSync(join(dir, 'usr/lib/systemd/systemd'))) return dir;
  mkdirSync(CACHE_DIR, { recursive: true });
  pruneOthers(name);
  // Built beside the final place and renamed into it: an interrupted run
  // never leaves a half-made rootfs under the name a later run trusts.
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const { suite, variant, mirror, packages } = GUEST_SPEC;
  const args = [`--variant=${variant}`, `--include=${packages.join(',')}`, suite, tmp, mirror];
  say(`making the guest rootfs: mmdebstrap ${args.join(' ')}`);
  const started = Date.now();
  const { code, output } = await runCollecting('mmdebstrap', args, 15 * 60_000);
  if (code !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`mmdebstrap failed (exit ${code}); its output ends:\n${output.slice(-3000)}`);
  }
  try {
    renameSync(tmp, dir);
  } catch (err) {
    // Another run on this machine finished first: use its copy.
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(dir)) throw err;
  }
  say(`guest rootfs made in ${((Date.now() - started) / 1000).toFixed(1)} s: ${dir}`);
  return dir;
}

/** Rootfs of older package lists, and leftovers of interrupted builds whose process is gone. */
function pruneOthers(keep: string): void {
  for (const entry of readdirSync(CACHE_DIR)) {
    if (!entry.startsWith('rootfs-') || entry === keep) continue;
    const owner = /\.tmp-(\d+)$/.exec(entry)?.[1];
    if (owner !== undefined && owner !== String(process.pid) && isAlive(Number(owner))) continue;
    rmSync(join(CACHE_DIR, entry), { recursive: true, force: true });
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function runCollecting(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (c: Buffer): void => void (output += c.toString());
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, output: `${output}\ncannot run ${cmd}: ${err.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
