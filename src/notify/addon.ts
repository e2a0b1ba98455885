// Loads node-unix-socket's native addon. In the single executable it is a
// SEA asset: written to a private file (O_EXCL, mode 0500, in a directory
// only we can write), dlopen'ed, then unlinked — the mapping stays. Outside
// it, the platform package in node_modules is loaded as usual.
import { mkdirSync, mkdtempSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ADDON_ASSET = 'node-unix-socket.node';
const PLATFORM_ADDON = 'node-unix-socket-linux-x64-gnu/node-unix-socket.linux-x64-gnu.node';

function loadAddon(): unknown {
  const sea = optionalSea();
  if (sea?.isSea()) {
    const file = join(privateDir(), `${ADDON_ASSET}.${process.pid}`);
    writeFileSync(file, new Uint8Array(sea.getRawAsset(ADDON_ASSET)), { flag: 'wx', mode: 0o500 });
    try {
      const mod = { exports: {} as unknown };
      process.dlopen(mod, file);
      return mod.exports;
    } finally {
      unlinkSync(file);
    }
  }
  // createRequire keeps esbuild from trying to bundle a binary file.
  return createRequire(__filename)(PLATFORM_ADDON);
}

function optionalSea(): { isSea(): boolean; getRawAsset(key: string): ArrayBuffer } | null {
  try {
    // node:sea exists from Node 20.12; the name is built so bundlers leave it alone.
    return createRequire(__filename)(['node', 'sea'].join(':')) as ReturnType<typeof optionalSea>;
  } catch {
    return null;
  }
}

/** A directory no other user can write into. */
function privateDir(): string {
  const candidates = [process.env.RUNTIME_DIRECTORY, process.getuid?.() === 0 ? '/run/taskmaster' : process.env.XDG_RUNTIME_DIR];
  for (const dir of candidates) {
    if (!dir) continue;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o755 });
      return dir;
    } catch {
      // try the next one
    }
  }
  return mkdtempSync(join(tmpdir(), 'taskmaster-')); // created 0700
}

// The names node-unix-socket's JS asks its binding for.
interface Binding {
  DgramSocketWrap: unknown;
  SeqpacketSocketWrap: unknown;
  socketNewSoReuseportFd: unknown;
  socketClose: unknown;
  initCleanupHook: unknown;
}
const binding = loadAddon() as Binding;
export const { DgramSocketWrap, SeqpacketSocketWrap, socketNewSoReuseportFd, socketClose, initCleanupHook } = binding;
