// proto/ is the one schema; src/gen/ is generated from it and never edited by
// hand. These fail when someone edits either alone, or when the schema stops
// passing buf's lint.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';

const ROOT = resolve(__dirname, '../../..');
const BUF = join(ROOT, 'node_modules/.bin/buf');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

test('buf lint passes on proto/', () => {
  execFileSync(BUF, ['lint', 'proto'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
});

test('src/gen/ is exactly what buf generates from proto/', () => {
  const out = mkdtempSync(join(tmpdir(), 'tm-gen-'));
  try {
    // make gen's own template, writing elsewhere.
    const template = parse(readFileSync(join(ROOT, 'proto/buf.gen.yaml'), 'utf8')) as { plugins: { local: string; out: string }[] };
    for (const plugin of template.plugins) Object.assign(plugin, { local: join(ROOT, plugin.local), out });
    const templateFile = `${out}.gen.json`;
    writeFileSync(templateFile, JSON.stringify(template));
    try {
      execFileSync(BUF, ['generate', 'proto', '--template', templateFile], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    } finally {
      rmSync(templateFile, { force: true });
    }
    const committed = join(ROOT, 'src/gen');
    assert.deepEqual(filesUnder(out), filesUnder(committed), 'the same files');
    for (const file of filesUnder(out)) {
      assert.equal(readFileSync(join(committed, file), 'utf8'), readFileSync(join(out, file), 'utf8'), `src/gen/${file}: run make gen`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
