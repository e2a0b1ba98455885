// Loads a bundle that the single executable carries as a SEA asset: the CLI,
// the daemon, and the CLI's config-file reader. The main script, which Node
// compiles at every start, only chooses the role; each run compiles what it
// needs, from the V8 code cache packaging/build.mjs made for that bundle
// (rejected by V8, and ignored, if it does not fit this node). Under plain
// node the bundle and its cache are the files beside this one.
//
// A bundle is one CommonJS wrapper expression, `(function (exports, require,
// module, __filename, __dirname) {…})`, as Node's loader would make of a
// file: the code cache is made of, and checked against, exactly that text.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

interface SeaApi {
  isSea(): boolean;
  getAsset(key: string, encoding: string): string;
  getRawAsset(key: string): ArrayBuffer;
}

type CjsWrapper = (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;

function seaApi(): SeaApi | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sea = require(['node', 'sea'].join(':')) as SeaApi; // built so bundlers leave it alone
    return sea.isSea() ? sea : null;
  } catch {
    return null; // Node before 20.12
  }
}

function optional<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** A data asset (the web view's files): from the executable, or the file beside this one under plain node. */
export function readAsset(name: string): Buffer {
  const sea = seaApi();
  return sea ? Buffer.from(sea.getRawAsset(name)) : readFileSync(join(__dirname, name));
}

export function loadBundle<T>(name: string): T {
  const sea = seaApi();
  const file = sea ? process.execPath : join(__dirname, name);
  const source = sea ? sea.getAsset(name, 'utf8') : readFileSync(file, 'utf8');
  const cachedData = optional(() => (sea ? Buffer.from(sea.getRawAsset(`${name}.cache`)) : readFileSync(`${file}.cache`)));
  const wrapper = new Script(source, { filename: name, cachedData }).runInThisContext() as CjsWrapper;
  const mod = { exports: {} as unknown };
  wrapper(mod.exports, require, mod, file, dirname(file));
  return mod.exports as T;
}
