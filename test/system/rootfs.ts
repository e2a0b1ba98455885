// Guest root file systems made by mmdebstrap, cached between runs: the
// container's (a minimal Debian with systemd and make, and deliberately no
// Node: the single executable must run without it) and, from the same spec
// plus a kernel, the VM's disk (test/vm/image.ts). Each is keyed by a hash of
// everything that goes into it, so a changed package list makes a new one.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface DebianSpec {
  suite: string;
  variant: string;
  mirror: string;
  packages: readonly string[];
  /** Files in place before any package is installed: config their scripts read (path → content). */
  preset?: Readonly<Record<string, string>>;
}

export const GUEST_SPEC = {
  suite: 'bookworm',
  variant: 'minbase',
  mirror: 'http://deb.debian.org/debian',
  // libstdc++6: the single executable links it. util-linux (setpriv),
  // passwd (gpasswd) and libc-bin (getent) come with minbase.
  packages: ['systemd', 'systemd-sysv', 'dbus', 'make', 'libstdc++6'],
} as const satisfies DebianSpec;

export const CACHE_DIR = process.env.TASKMASTER_TEST_CACHE ?? '/var/cache/taskmaster-test';

/** The container's cached rootfs (about 20 s, 210 MB the first time). `say` reports what takes time. */
export function ensureRootfs(say: (line: string) => void): Promise<string> {
  return ensureCached('rootfs', GUEST_SPEC, (dir) => mmdebstrap(GUEST_SPEC, dir, say), say);
}

/**
 * CACHE_DIR/KIND-HASH, where HASH is of `key`, made by `build` first if
 * missing. Other entries of the same kind (older specs) are removed.
 */
export async function ensureCached(kind: string, key: unknown, build: (dir: string) => Promise<void>, say: (line: string) => void): Promise<string> {
  const name = `${kind}-${createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 12)}`;
  const dir = join(CACHE_DIR, name);
  if (existsSync(dir)) return dir;
  mkdirSync(CACHE_DIR, { recursive: true });
  pruneOthers(kind, name);
  // Built beside the final place and renamed into it: an interrupted run
  // never leaves a half-made entry under the name a later run trusts.
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const started = Date.now();
  try {
    await build(tmp);
    renameSync(tmp, dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    // Another run on this machine finished first: use its copy.
    if (!existsSync(dir)) throw err;
  }
  say(`${kind} made in ${((Date.now() - started) / 1000).toFixed(1)} s: ${dir}`);
  return dir;
}

/** `mmdebstrap` of `spec` into `dir`; a failure throws with the end of its output. */
export async function mmdebstrap(spec: DebianSpec, dir: string, say: (line: string) => void): Promise<void> {
  const preset = Object.entries(spec.preset ?? {});
  const presetDir = `${dir}.preset`;
  for (const [path, text] of preset) {
    mkdirSync(dirname(join(presetDir, path)), { recursive: true });
    writeFileSync(join(presetDir, path), text);
  }
  const hooks = preset.length > 0 ? [`--setup-hook=sync-in ${presetDir} /`] : [];
  const args = [`--variant=${spec.variant}`, `--include=${spec.packages.join(',')}`, ...hooks, spec.suite, dir, spec.mirror];
  say(`making a guest rootfs: mmdebstrap ${args.join(' ')}`);
  const { code, output } = await runCollecting('mmdebstrap', args, 15 * 60_000);
  rmSync(presetDir, { recursive: true, force: true });
  if (code !== 0) throw new Error(`mmdebstrap failed (${code === null ? 'timed out' : `exit ${code}`}); its output ends:\n${output.slice(-3000)}`);
}

/** Entries of `kind` other than `keep`, and leftovers of interrupted builds whose process is gone. */
function pruneOthers(kind: string, keep: string): void {
  // The hash is hex: "rootfs-" never matches another kind's "rootfs-x-…".
  const ours = new RegExp(`^${kind}-[0-9a-f]{12}(\\.tmp-\\d+)?$`);
  for (const entry of readdirSync(CACHE_DIR)) {
    if (!ours.test(entry) || entry === keep) continue;
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

/** Runs a command to its end (SIGKILL at the timeout: code null), stdout and stderr together. */
export function runCollecting(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
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
