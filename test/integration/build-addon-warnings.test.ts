// The Makefile's rule for the native addons: a compiler warning never fails
// a user's build, a compiler error leaves the addon out with a warning, and
// the project's own test build (WERROR=1) stops on either. The real rule
// runs (make -f the project's Makefile) on fixture sources in a scratch dir.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from './harness';

const FIXTURES = join(ROOT, 'test/fixtures/addon-build');

interface Make {
  status: number | null;
  stderr: string;
  addon: string;
}

/** Builds dist/taskmaster-NAME.node from `source` with the project's rule, in a scratch dir. */
function makeAddon(name: string, source: string, werror: '0' | '1'): Make {
  const dir = mkdtempSync(join(tmpdir(), 'tm-addon-build-'));
  try {
    mkdirSync(join(dir, 'src/native'), { recursive: true });
    symlinkSync(source, join(dir, `src/native/${name}.c`));
    // A make above this test (make test) passes its variables down in MAKEFLAGS: not here.
    const env = { ...process.env };
    for (const k of ['MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'WERROR']) delete env[k];
    const target = `dist/taskmaster-${name}.node`;
    const r = spawnSync('make', ['-C', dir, '-f', join(ROOT, 'Makefile'), `NODE=${process.execPath}`, `WERROR=${werror}`, target], {
      encoding: 'utf8',
      env,
    });
    const file = join(dir, target);
    const addon = existsSync(file) ? (statSync(file).size > 0 ? 'compiled' : 'empty') : 'absent';
    return { status: r.status, stderr: r.stderr, addon };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** These tests are about what the compiler says: without one they cannot run, and fail saying so. */
function requireCompiler(): void {
  const cc = spawnSync('sh', ['-c', 'command -v "${CC:-cc}"'], { encoding: 'utf8' });
  assert.equal(cc.status, 0, 'no C compiler: `make test-deps` installs gcc; these tests cannot run without one');
}

test('a compiler warning does not fail a normal build: the addon is compiled and the warning shown', () => {
  requireCompiler();
  const r = makeAddon('warns', join(FIXTURES, 'warns.c'), '0');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /taskmaster-test: a compiler warning/, 'the compiler did warn');
  assert.equal(r.addon, 'compiled', r.stderr);
});

test('the test build (WERROR=1) fails on that same warning and leaves no addon', () => {
  requireCompiler();
  const r = makeAddon('warns', join(FIXTURES, 'warns.c'), '1');
  assert.notEqual(r.status, 0, 'make succeeded');
  assert.match(r.stderr, /taskmaster-test: a compiler warning/);
  assert.match(r.stderr, /the test build \(WERROR=1\) needs the warns addon/);
  assert.equal(r.addon, 'absent');
});

test('a compiler error: a normal build goes on without the addon and says why; the test build stops', () => {
  requireCompiler();
  const normal = makeAddon('broken', join(FIXTURES, 'broken.c'), '0');
  assert.equal(normal.status, 0, normal.stderr);
  assert.match(normal.stderr, /warning: \S+ failed on src\/native\/broken\.c: building without the broken addon/);
  assert.equal(normal.addon, 'empty');
  const strict = makeAddon('broken', join(FIXTURES, 'broken.c'), '1');
  assert.notEqual(strict.status, 0, 'make succeeded');
  assert.match(strict.stderr, /the test build \(WERROR=1\) needs the broken addon/);
  assert.equal(strict.addon, 'absent');
});

test("the project's own addons compile without a single warning (WERROR=1)", () => {
  requireCompiler();
  const sources = readdirSync(join(ROOT, 'src/native')).filter((f) => f.endsWith('.c'));
  assert.ok(sources.length > 0, 'no src/native/*.c');
  for (const file of sources) {
    const name = file.slice(0, -'.c'.length);
    const r = makeAddon(name, join(ROOT, 'src/native', file), '1');
    assert.equal(r.status, 0, `${file}: ${r.stderr}`);
    assert.equal(r.addon, 'compiled', `${file}: ${r.stderr}`);
  }
});
