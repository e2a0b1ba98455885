// The asset bundles of the single executable and their V8 code caches
// (packaging/build.mjs). A cache V8 refuses is not an error: the bundle
// compiles from source, and every run of taskmasterctl is a millisecond or
// more slower without anyone being told. So: each cache must fit this node,
// the one that made it and that the executable is a copy of.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Script } from 'node:vm';
import { ROOT } from './harness';

for (const name of ['taskmasterctl.js', 'taskmasterctl-config.js', 'taskmasterctl-remote.js', 'taskmasterctl-jobs.js', 'taskmasterd.js', 'taskmasterd-metrics.js', 'taskmaster-gateway.js']) {
  test(`V8 accepts the code cache of dist/${name}`, () => {
    assert.equal(cacheRejected(name), false);
  });
}

// V8 checks a cache against the flags it was made under: every role loads its
// bundle under V8's defaults, so each cache must have been made under them.
// The check can fail: a node with a flag set refuses the daemon's cache.
test('a node under another V8 flag refuses the code cache of dist/taskmasterd.js', () => {
  const rejected = execFileSync(process.execPath, ['--optimize-for-size', '-e', `
    const { readFileSync } = require('node:fs');
    const file = ${JSON.stringify(join(ROOT, 'dist', 'taskmasterd.js'))};
    const s = new (require('node:vm').Script)(readFileSync(file, 'utf8'), { filename: 'taskmasterd.js', cachedData: readFileSync(file + '.cache') });
    process.stdout.write(String(s.cachedDataRejected));`], { encoding: 'utf8' });
  assert.equal(rejected, 'true');
});

function cacheRejected(name: string): boolean {
  const source = readFileSync(join(ROOT, 'dist', name), 'utf8');
  const cachedData = readFileSync(join(ROOT, 'dist', `${name}.cache`));
  return new Script(source, { filename: name, cachedData }).cachedDataRejected === true;
}
