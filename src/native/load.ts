// Loads a native addon. In the single executable it is a SEA asset: written
// to a private file (O_EXCL, mode 0500, in a root-owned directory such as
// /var/lib/taskmaster), dlopen'ed, then unlinked — the mapping stays.
// Outside it (plain node on the bundles), it is a file on disk.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `asset`: its SEA asset name; `onDisk`: the path loaded outside the single executable. */
export function loadNativeAddon(asset: string, what: string, onDisk: () => string): unknown {
  const sea = optionalSea();
  if (!sea?.isSea()) {
    const file = onDisk();
    // A missing file or a module name: require says which.
    const why = existsSync(file) ? notBuilt(readFileSync(file), what) : null;
    if (why !== null) throw new Error(why);
    // createRequire keeps esbuild from trying to bundle a binary file.
    return createRequire(__filename)(file);
  }
  const bytes = new Uint8Array(sea.getRawAsset(asset));
  const why = notBuilt(bytes, what);
  if (why !== null) throw new Error(why);
  const failures: string[] = [];
  // /run and /tmp are often mounted noexec, where dlopen fails: try the
  // next private place until one can map the file.
  for (const dir of privateDirs()) {
    try {
      return dlopenFrom(join(dir, `${asset}.${process.pid}`), bytes);
    } catch (err) {
      failures.push(`${dir}: ${(err as Error).message}`);
    }
  }
  throw new Error(`cannot load the ${what} addon: ${failures.join('; ')}`);
}

/** An addon, or why it could not be loaded: the daemon does without it, and says why once. */
export type Loaded<T> = { addon: T; why: null } | { addon: null; why: string };

/**
 * One of the daemon's own addons (outside the single executable: the file
 * in dist/, beside the daemon bundle), loaded on the first call and kept.
 * A build that could not compile it carries the reason instead: that, like
 * any other failure to load, comes back as the reason.
 */
export function daemonAddon<T>(asset: string, what: string): () => Loaded<T> {
  let loaded: Loaded<T> | null = null;
  const load = (): Loaded<T> => {
    try {
      return { addon: loadNativeAddon(asset, what, () => join(__dirname, asset)) as T, why: null };
    } catch (err) {
      return { addon: null, why: (err as Error).message };
    }
  };
  return () => (loaded ??= load());
}

/** What the Makefile's addon rule writes in place of an addon it could not compile. */
const NOT_BUILT = 'not built: ';

/** Why the build left `bytes` instead of the addon, or null when they are the addon. */
function notBuilt(bytes: Uint8Array, what: string): string | null {
  // Empty: a build from before the reason was recorded.
  if (bytes.length === 0) return `the ${what} addon was not built (the build recorded no reason)`;
  const head = Buffer.from(bytes.subarray(0, 200)).toString('utf8');
  if (!head.startsWith(NOT_BUILT)) return null;
  return `the ${what} addon was not built: ${head.slice(NOT_BUILT.length).split('\n')[0]}`;
}

function dlopenFrom(file: string, bytes: Uint8Array): unknown {
  // O_EXCL: never write through a file or link someone else put there.
  writeFileSync(file, bytes, { flag: 'wx', mode: 0o500 });
  try {
    const mod = { exports: {} as unknown };
    process.dlopen(mod, file);
    return mod.exports;
  } finally {
    unlinkSync(file);
  }
}

function optionalSea(): { isSea(): boolean; getRawAsset(key: string): ArrayBuffer } | null {
  try {
    // node:sea exists from Node 20.12; the name is built so bundlers leave it alone.
    return createRequire(__filename)(['node', 'sea'].join(':')) as ReturnType<typeof optionalSea>;
  } catch {
    return null;
  }
}

/** Directories no other user can write into, most suitable first. */
function* privateDirs(): Generator<string> {
  const home = process.env.HOME;
  const candidates = process.getuid?.() === 0
    ? ['/var/lib/taskmaster', process.env.RUNTIME_DIRECTORY, '/run/taskmaster']
    : [process.env.XDG_CACHE_HOME && join(process.env.XDG_CACHE_HOME, 'taskmaster'), home && join(home, '.cache', 'taskmaster'), process.env.XDG_RUNTIME_DIR];
  for (const dir of candidates) {
    if (!dir) continue;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      yield dir;
    } catch {
      // not creatable here: try the next one
    }
  }
  yield mkdtempSync(join(tmpdir(), 'taskmaster-')); // created 0700
}
