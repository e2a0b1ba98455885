// The single executable's main script: the CLI, plus a loader for the
// daemon, which is a second bundle carried as a SEA asset (or, when run
// with plain node, the file dist/taskmasterd.js beside this one).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { runInThisContext } from 'node:vm';
import { type DaemonModule, main } from './main';

const DAEMON_ASSET = 'taskmasterd.js';

interface SeaApi {
  isSea(): boolean;
  getAsset(key: string, encoding: string): string;
}

function loadDaemon(): DaemonModule {
  const load = createRequire(__filename);
  let sea: SeaApi | null;
  try {
    sea = load(['node', 'sea'].join(':')) as SeaApi; // built so bundlers leave it alone
  } catch {
    sea = null; // Node before 20.12
  }
  if (!sea?.isSea()) return load(join(__dirname, DAEMON_ASSET)) as DaemonModule;
  // A CommonJS wrapper, as Node's loader would give a file.
  const wrapper = runInThisContext(`(function (exports, require, module, __filename, __dirname) {${sea.getAsset(DAEMON_ASSET, 'utf8')}\n})`, { filename: DAEMON_ASSET }) as (
    e: unknown, r: NodeJS.Require, m: { exports: unknown }, f: string, d: string) => void;
  const mod = { exports: {} as unknown };
  wrapper(mod.exports, require, mod, process.execPath, dirname(process.execPath));
  return mod.exports as DaemonModule;
}

void main(loadDaemon);
