// Bundles the sources for the single executable: dist/taskmaster.js (the
// main script: role dispatch and the CLI), and two bundles it carries as
// assets and loads only when a run needs them (src/asset-bundle.ts):
// dist/taskmasterd.js (the daemon) and dist/taskmasterctl-config.js (the
// CLI's reader of a config file's socket path, with YAML).
// node-unix-socket's own loader looks for its .node file next to itself,
// which a single executable does not have; it is swapped for ours
// (src/notify/addon.ts), which loads the copy carried as a SEA asset.
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CONFIG_BUNDLE = 'taskmasterctl-config.js';

const addonSwap = {
  name: 'node-unix-socket-addon',
  setup(b) {
    b.onResolve({ filter: /^\.\/addon$/ }, (args) =>
      args.importer.includes(`${'node_modules'}/node-unix-socket/`)
        ? { path: resolve(root, 'src/notify/addon.ts') }
        : undefined,
    );
  },
};

// The CLI reads a config file only for -c or the default config; a one-shot
// `taskmasterctl -s SOCKET status` must not pay, at every start, for
// compiling a main script that holds YAML (270 KB of the 310). So the main
// bundle's import of the config reader becomes a load of the third bundle.
const configReaderAsAsset = {
  name: 'config-reader-as-asset',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/config\/socket-path$/ }, (args) =>
      args.importer === resolve(root, 'src/cli/socket.ts') ? { path: CONFIG_BUNDLE, namespace: 'asset-bundle' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'asset-bundle' }, (args) => ({
      contents: `module.exports = require('./asset-bundle').loadBundle(${JSON.stringify(args.path)});`,
      resolveDir: resolve(root, 'src'),
      loader: 'js',
    }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
};
// An asset bundle is one CommonJS wrapper expression (see src/asset-bundle.ts).
const WRAPPER = '(function (exports, require, module, __filename, __dirname) {';
// Some of the daemon's dependencies ship ESM that asks for import.meta.url; a
// CJS bundle has __filename. The CLI's have none, and its start-up is timed
// (pathToFileURL alone is 0.3 ms): esbuild warns should one come.
const IMPORT_META_URL = 'const __bundle_url = require("node:url").pathToFileURL(__filename).href;';

await build({
  ...common,
  plugins: [configReaderAsAsset],
  entryPoints: [resolve(root, 'src/entry.ts')],
  outfile: resolve(root, 'dist/taskmaster.js'),
});
await build({
  ...common,
  plugins: [addonSwap],
  define: { 'import.meta.url': '__bundle_url' },
  banner: { js: `${WRAPPER}\n${IMPORT_META_URL}` },
  footer: { js: '})' },
  entryPoints: [resolve(root, 'src/daemon/main.ts')],
  outfile: resolve(root, 'dist/taskmasterd.js'),
});
await build({
  ...common,
  banner: { js: WRAPPER },
  footer: { js: '})' },
  entryPoints: [resolve(root, 'src/config/socket-path.ts')],
  outfile: resolve(root, `dist/${CONFIG_BUNDLE}`),
});

/**
 * Writes FILE.cache, the V8 code cache of an asset bundle. With `train`, the
 * bundle is run and `train` given its exports first: the cache then holds
 * the functions that compiled, so a run of the executable does not compile
 * them again.
 */
function writeCodeCache(file, train) {
  const script = new Script(readFileSync(file, 'utf8'), { filename: basename(file) });
  if (train) {
    const mod = { exports: {} };
    script.runInThisContext()(mod.exports, createRequire(file), mod, file, dirname(file));
    train(mod.exports);
  }
  writeFileSync(`${file}.cache`, script.createCachedData());
}
// Not run: the daemon's top level would start a daemon's worth of state.
writeCodeCache(resolve(root, 'dist/taskmasterd.js'));
// What `taskmasterctl -c FILE` does: read the socket path of a config (YAML's parser, 5 ms of compiling).
writeCodeCache(resolve(root, `dist/${CONFIG_BUNDLE}`), ({ socketPathOf }) => socketPathOf(resolve(root, 'etc/taskmaster.yaml')));
