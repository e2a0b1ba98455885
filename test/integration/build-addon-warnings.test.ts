// The Makefile's rule for the native addons: a compiler warning never fails
// a user's build, a compiler error leaves the addon out with a warning and
// the true reason recorded in its place (which the daemon logs), and the
// project's own test build (WERROR=1) stops on either. The real rule runs
// (make -f the project's Makefile) on fixture sources in a scratch dir.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, waitFor } from './harness';

const FIXTURES = join(ROOT, 'test/fixtures/addon-build');

interface Make {
  status: number | null;
  stderr: string;
  /** 'compiled', 'absent', or the line the rule left in its place ("not built: …"). */
  addon: string;
}

/** Builds dist/taskmaster-NAME.node from `source` with the project's rule, in a scratch dir. */
function makeAddon(name: string, source: string, werror: '0' | '1', vars: string[] = []): Make {
  const dir = mkdtempSync(join(tmpdir(), 'tm-addon-build-'));
  try {
    mkdirSync(join(dir, 'src/native'), { recursive: true });
    symlinkSync(source, join(dir, `src/native/${name}.c`));
    // The project's own headers, which its sources include by a relative name.
    for (const h of readdirSync(join(ROOT, 'src/native')).filter((f) => f.endsWith('.h'))) {
      symlinkSync(join(ROOT, 'src/native', h), join(dir, 'src/native', h));
    }
    // A make above this test (make test) passes its variables down in MAKEFLAGS: not here.
    const env = { ...process.env };
    for (const k of ['MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'WERROR']) delete env[k];
    const target = `dist/taskmaster-${name}.node`;
    const r = spawnSync('make', ['-C', dir, '-f', join(ROOT, 'Makefile'), `NODE=${process.execPath}`, `WERROR=${werror}`, ...vars, target], {
      encoding: 'utf8',
      env,
    });
    const file = join(dir, target);
    const bytes = existsSync(file) ? readFileSync(file) : null;
    const text = bytes?.toString('latin1') ?? '';
    const addon = bytes === null ? 'absent' : text.startsWith('not built: ') ? text.trimEnd() : 'compiled';
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
  assert.match(normal.addon, /^not built: \S+ failed on src\/native\/broken\.c$/);
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

test('no C compiler, or no Node-API headers: the addon file says so, and the test build stops', () => {
  const source = join(ROOT, 'src/native/spawn.c');
  const noCc = makeAddon('spawn', source, '0', ['CC=/nonexistent/cc']);
  assert.equal(noCc.status, 0, noCc.stderr);
  assert.equal(noCc.addon, 'not built: no C compiler (/nonexistent/cc)');
  requireCompiler();
  const noHeaders = makeAddon('spawn', source, '0', ['NODE_API_INCLUDE=/nonexistent/include']);
  assert.equal(noHeaders.status, 0, noHeaders.stderr);
  assert.equal(noHeaders.addon, 'not built: no Node-API headers in /nonexistent/include');
  const strict = makeAddon('spawn', source, '1', ['NODE_API_INCLUDE=/nonexistent/include']);
  assert.notEqual(strict.status, 0, 'make succeeded');
  assert.equal(strict.addon, 'absent');
});

test("the daemon logs the reason its build recorded, and spawns through Node's child_process", async () => {
  // The daemon's bundle outside the single executable reads its addon from
  // beside itself: give it the file a build without a compiler leaves.
  const dir = mkdtempSync(join(tmpdir(), 'tm-addon-reason-'));
  const daemon = spawnDaemonWith(dir, 'not built: no C compiler (cc)\n');
  try {
    await waitFor(() => daemon.stderr().includes('taskmasterd'), 'the daemon to log its start');
    await waitFor(() => /spawning through Node's child_process/.test(daemon.stderr()), 'the line about spawning');
    assert.match(daemon.stderr(), /spawning through Node's child_process \(slower starts\): the spawn addon was not built: no C compiler \(cc\)/);
  } finally {
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** `node dist/taskmaster.js daemon` from a copy in `dir`, with `addon` as its spawn addon. */
function spawnDaemonWith(dir: string, addon: string): { stderr: () => string; stop: () => Promise<void> } {
  for (const f of ['taskmaster.js', 'taskmasterd.js']) copyFileSync(join(ROOT, 'dist', f), join(dir, f));
  writeFileSync(join(dir, 'taskmaster-spawn.node'), addon);
  const config = join(dir, 'taskmaster.yaml');
  writeFileSync(config, `taskmasterd:\n  socket: ${join(dir, 'tm.sock')}\n  childlogdir: ${dir}\nprograms: {}\n`);
  const proc = spawn(process.execPath, [join(dir, 'taskmaster.js'), 'daemon', '-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise((r) => proc.once('exit', r));
  return {
    stderr: () => stderr,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}
