// Bundles the sources for the single executable: dist/taskmaster.js (the
// main script) and dist/taskmasterd.js (the daemon, carried as an asset).
// node-unix-socket's own loader looks for its .node file next to itself,
// which a single executable does not have; it is swapped for ours
// (src/notify/addon.ts), which loads the copy carried as a SEA asset.
import { build } from 'esbuild';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

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

// Two bundles: the main script (CLI and role dispatch) and the daemon,
// which the main script loads only when it runs as taskmasterd.
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Some dependencies ship ESM that asks for import.meta.url; a CJS bundle has __filename.
  define: { 'import.meta.url': '__bundle_url' },
  banner: { js: 'const __bundle_url = require("node:url").pathToFileURL(__filename).href;' },
  plugins: [addonSwap],
  logLevel: 'warning',
};
await build({ ...common, entryPoints: [resolve(root, 'src/entry.ts')], outfile: resolve(root, 'dist/taskmaster.js') });
await build({ ...common, entryPoints: [resolve(root, 'src/daemon/main.ts')], outfile: resolve(root, 'dist/taskmasterd.js') });
