// The asset bundles of the single executable and their V8 code caches
// (packaging/build.mjs). A cache V8 refuses is not an error: the bundle
// compiles from source, and every run of taskmasterctl is a millisecond or
// more slower without anyone being told. So: each cache must fit this node,
// the one that made it and that the executable is a copy of.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Script } from 'node:vm';
import { ROOT } from './harness';

for (const name of ['taskmasterctl.js', 'taskmasterd.js', 'taskmasterctl-config.js']) {
  test(`V8 accepts the code cache of dist/${name}`, () => {
    const source = readFileSync(join(ROOT, 'dist', name), 'utf8');
    const cachedData = readFileSync(join(ROOT, 'dist', `${name}.cache`));
    const script = new Script(source, { filename: name, cachedData });
    assert.equal(script.cachedDataRejected, false);
  });
}
