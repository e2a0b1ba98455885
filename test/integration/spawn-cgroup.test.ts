// The spawn addon's cgroup path against the real kernel: the child runs in
// the cgroup it was given (clone3 creates it there; /proc/self/cgroup, read
// by the program itself, names it), with the session and stdio posix_spawn gives,
// and a failed exec is an errno with the child reaped. Placement needs only a
// writable cgroup v2 hierarchy, no controller: this hybrid host has one.
import assert from 'node:assert/strict';
import { closeSync, constants, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SpawnAddon } from '../../src/native/spawn-addon';
import { ROOT } from './harness';
import { rmdirWhenEmpty } from './cgroup-helpers';

function v2Mount(): string | null {
  const line = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => / - cgroup2 /.test(l));
  return line === undefined ? null : line.split(' ')[4]!;
}
const mount = v2Mount();
const skip = process.getuid?.() !== 0 ? 'needs root to make a cgroup' : mount === null ? 'no cgroup v2 hierarchy is mounted here' : undefined;
const addon = (): SpawnAddon => createRequire(__filename)(join(ROOT, 'dist/taskmaster-spawn.node')) as SpawnAddon;

async function inCgroup(body: (dir: string, fd: number, name: string) => Promise<void>): Promise<void> {
  const name = `taskmaster-test-${process.pid}`;
  const dir = join(mount!, name);
  mkdirSync(dir);
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await body(dir, fd, name);
  } finally {
    closeSync(fd);
    // Empty once its processes are reaped: retried until then.
    await rmdirWhenEmpty(dir);
  }
}

test('a child spawned with a cgroup fd runs in that cgroup, in its own session, stdin /dev/null', { skip }, () =>
  inCgroup(async (_dir, fd, name) => {
    const native = addon();
    const scratch = mkdtempSync(join(tmpdir(), 'tm-spawn-cg-'));
    const out = join(scratch, 'out');
    const outFd = openSync(out, 'w');
    try {
      // The child reports what it sees of itself, then exits.
      const script = 'cat /proc/self/cgroup; ps -o sid= -p $$; readlink /proc/self/fd/0';
      const exit = new Promise<number | null>((resolve) => {
        const pid = native.spawn('/bin/sh', ['sh', '-c', script], ['PATH=/usr/bin:/bin'], scratch, outFd, outFd, false, fd);
        native.watchExit(pid, (code) => resolve(code));
      });
      assert.equal(await exit, 0);
      const lines = readFileSync(out, 'utf8').trim().split('\n');
      const v2 = lines.find((l) => l.startsWith('0::'));
      assert.equal(v2, `0::/${name}`, lines.join('\n'));
      assert.notEqual(Number(lines.at(-2)!.trim()), process.pid, 'its own session, not the test\'s');
      assert.equal(lines.at(-1), '/dev/null');
    } finally {
      closeSync(outFd);
      rmSync(scratch, { recursive: true, force: true });
    }
  }));

test('with a cgroup fd, a failed exec throws its errno and leaves no child in the cgroup', { skip }, () =>
  inCgroup(async (dir, fd) => {
    const native = addon();
    const devNull = openSync('/dev/null', 'w');
    try {
      assert.throws(() => native.spawn('/nonexistent/program', ['x'], [], null, devNull, devNull, false, fd), { code: 'ENOENT' });
      assert.equal(readFileSync(join(dir, 'cgroup.procs'), 'utf8'), '');
    } finally {
      closeSync(devNull);
    }
  }));

test('without a cgroup fd (-1) the child stays in the spawner\'s cgroup', { skip }, async () => {
  const native = addon();
  const scratch = mkdtempSync(join(tmpdir(), 'tm-spawn-cg-'));
  const out = join(scratch, 'out');
  const outFd = openSync(out, 'w');
  try {
    const exit = new Promise<number | null>((resolve) => {
      const pid = native.spawn('/bin/cat', ['cat', '/proc/self/cgroup'], [], null, outFd, outFd, false, -1);
      native.watchExit(pid, (code) => resolve(code));
    });
    assert.equal(await exit, 0);
    const mine = readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => l.startsWith('0::'));
    assert.equal(readFileSync(out, 'utf8').split('\n').find((l) => l.startsWith('0::')), mine);
  } finally {
    closeSync(outFd);
    rmSync(scratch, { recursive: true, force: true });
  }
});
