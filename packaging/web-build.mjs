// Builds the web view (src/web/) into one file, dist/taskmaster-web.json,
// which the single executable carries as an asset and the gateway serves
// (src/gateway/web-files.ts). The script and the style sheet are named by a
// hash of their content, so a browser may keep them for good; the page that
// names them changes with each build and is revalidated on every load.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { build } from 'esbuild';

export const WEB_ASSET = 'taskmaster-web.json';

const TYPES = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

const typeOf = (name) => TYPES[name.slice(name.lastIndexOf('.'))];
const etagOf = (bytes) => `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 22)}"`;

export async function buildWeb(root) {
  const result = await build({
    entryPoints: [resolve(root, 'src/web/main.tsx'), resolve(root, 'src/web/app.css')],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110', 'firefox115', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    entryNames: '[name]-[hash]',
    outdir: resolve(root, 'dist/web'),
    write: false,
    logLevel: 'warning',
    legalComments: 'none',
  });
  const files = {};
  const names = {};
  for (const out of result.outputFiles) {
    const name = basename(out.path);
    names[name.slice(name.lastIndexOf('.'))] = name;
    // Named by their hash: never changes under that name.
    files[`/${name}`] = { type: typeOf(name), immutable: true, etag: etagOf(out.contents), body: Buffer.from(out.contents).toString('base64') };
  }
  const html = readFileSync(resolve(root, 'src/web/index.html'), 'utf8').replace('app.css', names['.css']).replace('main.js', names['.js']);
  files['/'] = { type: typeOf('.html'), immutable: false, etag: etagOf(html), body: Buffer.from(html).toString('base64') };
  writeFileSync(resolve(root, 'dist', WEB_ASSET), JSON.stringify({ files }));
}
