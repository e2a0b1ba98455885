// Bundles the sources for the single executable. dist/taskmaster.js, its
// main script, only chooses the role; each role's code is a bundle carried
// as an asset and loaded for that role only (src/asset-bundle.ts), with a V8
// code cache made here: dist/taskmasterctl.js (the CLI), dist/taskmasterd.js
// (the daemon), dist/taskmaster-gateway.js (the remote API's network-facing
// process, which the daemon starts), dist/taskmasterctl-config.js (the CLI's
// reader of a config file's socket path: YAML, which a run with -s never
// needs), dist/taskmasterctl-remote.js (the CLI's remote Caller: Connect,
// HTTP/2 and TLS, which a run without -H never needs) and
// dist/taskmasterctl-jobs.js (the job commands' work, with protobuf's runtime)
// and dist/taskmasterd-metrics.js (the daemon's metrics text: prom-client,
// loaded at the first scrape). The web view's files, which the gateway
// serves, are one more asset, dist/taskmaster-web.json (packaging/web-build.mjs).
// node-unix-socket's own loader looks for its .node file next to itself,
// which a single executable does not have; it is swapped for ours
// (src/notify/addon.ts), which loads the copy carried as a SEA asset: the
// prebuilt for the machine that builds (packaging/unix-socket-prebuilt.cjs),
// added to packaging/sea-config.json's assets in dist/sea-config.json.
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';
import prebuilt from './unix-socket-prebuilt.cjs';
import { buildWeb } from './web-build.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (name) => resolve(root, 'dist', name);
const CONFIG_BUNDLE = 'taskmasterctl-config.js';
const REMOTE_BUNDLE = 'taskmasterctl-remote.js';
const JOBS_BUNDLE = 'taskmasterctl-jobs.js';
const METRICS_BUNDLE = 'taskmasterd-metrics.js';

let unixSocket;
try {
  unixSocket = prebuilt.unixSocketPrebuilt(root);
} catch (err) {
  console.error(`packaging/build.mjs: ${err.message}`);
  process.exit(1);
}
const seaConfig = JSON.parse(readFileSync(resolve(root, 'packaging/sea-config.json'), 'utf8'));
seaConfig.assets[unixSocket.asset] = unixSocket.file;

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

// pino-roll's import of date-fns becomes an import of the five functions it uses.
const dateFnsSubset = {
  name: 'date-fns-subset',
  setup(b) {
    b.onResolve({ filter: /^date-fns$/ }, (args) =>
      args.importer.includes(`${'node_modules'}/pino-roll/`) ? { path: resolve(root, 'packaging/date-fns-subset.cjs') } : undefined,
    );
  },
};

// The CLI's imports of what only some runs need become loads of their
// bundles: the config reader, the remote Caller, the job commands' work; and
// the daemon's of what only a scraped daemon needs: the metrics text.
const LAZY_BUNDLES = [
  { request: '../config/socket-path', importer: 'src/cli/socket.ts', bundle: CONFIG_BUNDLE },
  { request: './bundle', importer: 'src/cli/remote/open.ts', bundle: REMOTE_BUNDLE },
  { request: './jobs-bundle', importer: 'src/cli/commands/jobs.ts', bundle: JOBS_BUNDLE },
  { request: './metrics-render', importer: 'src/server/metrics-handler.ts', bundle: METRICS_BUNDLE },
];
const lazyBundlesAsAssets = {
  name: 'lazy-bundles-as-assets',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const lazy = LAZY_BUNDLES.find((l) => l.request === args.path && args.importer === resolve(root, l.importer));
      return lazy ? { path: lazy.bundle, namespace: 'asset-bundle' } : undefined;
    });
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
const asAsset = (banner = '') => ({
  banner: { js: `(function (exports, require, module, __filename, __dirname) {\n${banner}` },
  footer: { js: '})' },
});
// Some of the daemon's dependencies ship ESM that asks for import.meta.url; a
// CJS bundle has __filename. The CLI's have none, and its start-up is timed
// (pathToFileURL alone is 0.3 ms): esbuild warns should one come.
const IMPORT_META_URL = 'const __bundle_url = require("node:url").pathToFileURL(__filename).href;';

// The daemon keeps the source of the main script and of its own bundle in its
// heap for as long as it runs (V8 compiles functions lazily from it). Without
// comments and indentation the daemon's is a third smaller, and one byte per
// character: a single '→' in a comment made V8 hold all 1 MB of it at two
// bytes per character. Names are kept, for stack traces.
const asDaemonCode = { minifyWhitespace: true };

await build({ ...common, ...asDaemonCode, entryPoints: [resolve(root, 'src/entry.ts')], outfile: dist('taskmaster.js') });
await build({
  ...common,
  ...asAsset(),
  plugins: [lazyBundlesAsAssets],
  entryPoints: [resolve(root, 'src/cli/entry.ts')],
  outfile: dist('taskmasterctl.js'),
});
await build({
  ...common,
  ...asAsset(IMPORT_META_URL),
  ...asDaemonCode,
  plugins: [addonSwap, dateFnsSubset, lazyBundlesAsAssets],
  // src/notify/addon.ts: which prebuilt, as a SEA asset and as a package.
  // Strings, which esbuild inlines (an object would be a module of its own).
  define: {
    'import.meta.url': '__bundle_url',
    UNIX_SOCKET_ASSET: JSON.stringify(unixSocket.asset),
    UNIX_SOCKET_PACKAGE: JSON.stringify(unixSocket.name),
  },
  entryPoints: [resolve(root, 'src/daemon/main.ts')],
  outfile: dist('taskmasterd.js'),
});
// The gateway: TLS, HTTP/2 and the Connect handlers, none of the daemon's code.
await build({
  ...common,
  ...asAsset(IMPORT_META_URL),
  ...asDaemonCode,
  define: { 'import.meta.url': '__bundle_url' },
  entryPoints: [resolve(root, 'src/gateway/main.ts')],
  outfile: dist('taskmaster-gateway.js'),
});
await build({ ...common, ...asAsset(), entryPoints: [resolve(root, 'src/config/socket-path.ts')], outfile: dist(CONFIG_BUNDLE) });
await build({ ...common, ...asAsset(), entryPoints: [resolve(root, 'src/cli/remote/bundle.ts')], outfile: dist(REMOTE_BUNDLE) });
await build({ ...common, ...asAsset(), entryPoints: [resolve(root, 'src/cli/commands/jobs-bundle.ts')], outfile: dist(JOBS_BUNDLE) });
await build({ ...common, ...asAsset(), ...asDaemonCode, entryPoints: [resolve(root, 'src/server/metrics-render.ts')], outfile: dist(METRICS_BUNDLE) });
// The web view, which the gateway serves: browser code, no code cache.
await buildWeb(root);
writeFileSync(dist('sea-config.json'), `${JSON.stringify(seaConfig, null, 2)}\n`);

/**
 * Writes FILE.cache, the V8 code cache of an asset bundle. A cache holds the
 * functions compiled when it is made; V8 compiles the others from source on
 * their first call, which is most of what a short run spends on its own code.
 * `eager` compiles every function first (V8's --no-lazy, for that compile
 * only). `train` runs the bundle and hands `train` its exports: the cache then
 * holds what that run compiled.
 */
function writeCodeCache(file, { eager = false, train } = {}) {
  const source = readFileSync(file, 'utf8');
  if (eager) setFlagsFromString('--no-lazy');
  let script;
  try {
    script = new Script(source, { filename: basename(file) });
  } finally {
    // Back to the default, which the cache records and V8 checks when it loads it.
    if (eager) setFlagsFromString('--lazy');
  }
  if (train) {
    const mod = { exports: {} };
    script.runInThisContext()(mod.exports, createRequire(file), mod, file, dirname(file));
    train(mod.exports);
  }
  writeFileSync(`${file}.cache`, script.createCachedData());
}
// The CLI is small (130 KB, no protobuf-es: src/protocol/local-codec.ts) and
// a one-shot run calls much of it: all of it is in its cache (220 KB). A cache
// of its top level only cost a status the same; the eager one also spares the
// other commands compiling their functions at their first call.
writeCodeCache(dist('taskmasterctl.js'), { eager: true });
// What `taskmasterctl -c FILE` does: read the socket path of a config (YAML's parser, 5 ms of compiling).
writeCodeCache(dist(CONFIG_BUNDLE), { train: ({ socketPathOf }) => socketPathOf(resolve(root, 'etc/taskmaster.yaml')) });
// Their top level only; a call needs a server, which a build does not have.
writeCodeCache(dist(REMOTE_BUNDLE));
writeCodeCache(dist(JOBS_BUNDLE));
// The daemon's top level only: running it here would start a daemon's worth of
// state.
writeCodeCache(dist('taskmasterd.js'));
writeCodeCache(dist(METRICS_BUNDLE));
writeCodeCache(dist('taskmaster-gateway.js'));
