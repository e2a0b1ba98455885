// Which of node-unix-socket's per-platform packages the build carries
// (packaging/unix-socket-prebuilt.cjs): the one for the building machine's
// platform, CPU and libc, and a clear error where it ships none.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = resolve(__dirname, '../../..');
interface Prebuilt {
  ASSET: string;
  prebuiltFor(platform: string, arch: string, libc: string, listed: string[]): string | null;
  unixSocketPrebuilt(root: string): { name: string; file: string; asset: string };
}
const prebuilt = require(join(ROOT, 'packaging/unix-socket-prebuilt.cjs')) as Prebuilt;

const LISTED = Object.keys(
  (JSON.parse(readFileSync(join(ROOT, 'node_modules/node-unix-socket/package.json'), 'utf8')) as { optionalDependencies: Record<string, string> })
    .optionalDependencies,
);

test('the prebuilt is picked by CPU and libc among the ones node-unix-socket lists', () => {
  const cases: [arch: string, libc: string, want: string | null][] = [
    ['x64', 'gnu', 'node-unix-socket-linux-x64-gnu'],
    ['x64', 'musl', 'node-unix-socket-linux-x64-musl'],
    ['arm64', 'gnu', 'node-unix-socket-linux-arm64-gnu'],
    ['arm64', 'musl', 'node-unix-socket-linux-arm64-musl'],
    // 32-bit ARM's libc part is longer, and 'arm' must not take arm64's.
    ['arm', 'gnu', 'node-unix-socket-linux-arm-gnueabihf'],
    ['arm', 'musl', null],
    ['riscv64', 'gnu', null],
  ];
  for (const [arch, libc, want] of cases) assert.equal(prebuilt.prebuiltFor('linux', arch, libc, LISTED), want, `linux ${arch} ${libc}`);
});

test('this machine gets the installed prebuilt for its own process.arch', () => {
  const found = prebuilt.unixSocketPrebuilt(ROOT);
  assert.ok(found.name.startsWith(`node-unix-socket-${process.platform}-${process.arch}-`), found.name);
  assert.ok(existsSync(join(ROOT, found.file)), `${found.file} exists`);
  assert.match(found.file, /\.node$/);
  assert.equal(found.asset, prebuilt.ASSET);
});

/** A project root whose node-unix-socket lists `listed` and has none of them installed. */
function fakeRoot(listed: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'tm-prebuilt-'));
  mkdirSync(join(root, 'node_modules/node-unix-socket'), { recursive: true });
  const optionalDependencies = Object.fromEntries(listed.map((n) => [n, '0.0.0']));
  writeFileSync(join(root, 'node_modules/node-unix-socket/package.json'), JSON.stringify({ name: 'node-unix-socket', optionalDependencies }));
  return root;
}

test('a machine node-unix-socket ships nothing for: the error names the machine and what it ships', () => {
  const root = fakeRoot(['node-unix-socket-linux-sparc-gnu', 'node-unix-socket-darwin-arm64']);
  try {
    assert.throws(
      () => prebuilt.unixSocketPrebuilt(root),
      (err: Error) => {
        assert.match(err.message, new RegExp(`^node-unix-socket has no prebuilt for ${process.platform}-${process.arch} \\((gnu|musl) libc\\)`));
        assert.match(err.message, /it ships linux-sparc-gnu, darwin-arm64/);
        return true;
      },
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a prebuilt listed for this machine but not installed: the error says to run npm install', () => {
  const ours = prebuilt.unixSocketPrebuilt(ROOT).name;
  const root = fakeRoot([ours]);
  try {
    assert.throws(() => prebuilt.unixSocketPrebuilt(root), new RegExp(`: ${ours}, .* is not installed: run \`npm install\``));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
