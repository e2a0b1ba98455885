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

for (const name of ['taskmasterctl.js', 'taskmasterctl-config.js']) {
  test(`V8 accepts the code cache of dist/${name}`, () => {
    assert.equal(cacheRejected(name), false);
  });
}

// The daemon's bundle loads under the V8 flags its main script sets first
// (src/entry.ts), and its cache was made under them: checked in a node of
// its own with those flags set, as the daemon's main script sets them.
test('V8 accepts the code cache of dist/taskmasterd.js under the daemon\'s start-up flags, and only under them', () => {
  const flags = (JSON.parse(readFileSync(join(ROOT, 'src/daemon-v8-flags.json'), 'utf8')) as { whileStarting: string[] }).whileStarting;
  const check = (withFlags: string[]): string =>
    execFileSync(process.execPath, ['-e', `
      const v8 = require('node:v8');
      for (const f of ${JSON.stringify(withFlags)}) v8.setFlagsFromString(f);
      const { readFileSync } = require('node:fs');
      const file = ${JSON.stringify(join(ROOT, 'dist', 'taskmasterd.js'))};
      const s = new (require('node:vm').Script)(readFileSync(file, 'utf8'), { filename: 'taskmasterd.js', cachedData: readFileSync(file + '.cache') });
      process.stdout.write(String(s.cachedDataRejected));`], { encoding: 'utf8' });
  assert.equal(check(flags), 'false');
  // The check can fail: without the flags, V8 refuses this cache.
  assert.equal(check([]), 'true');
});

function cacheRejected(name: string): boolean {
  const source = readFileSync(join(ROOT, 'dist', name), 'utf8');
  const cachedData = readFileSync(join(ROOT, 'dist', `${name}.cache`));
  return new Script(source, { filename: name, cachedData }).cachedDataRejected === true;
}
