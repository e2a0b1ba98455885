// The spawn addon's stdin pipe and pseudo-terminal against the real kernel,
// on each path that runs our own code between clone and exec: the shared
// descriptor table (no cgroup: the daemon's path here) and clone3 into a
// cgroup. Each child reports what it sees of its own descriptors; the
// terminal child also that it has a controlling terminal (/dev/tty opens),
// its window size, and that a Ctrl-C byte written to the master interrupts it.
import assert from 'node:assert/strict';
import { closeSync, constants, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SpawnAddon } from '../../src/native/spawn-addon';
import { terminalStream } from '../../src/native/terminal-stream';
import { ROOT, waitFor } from './harness';
import { rmdirWhenEmpty } from './cgroup-helpers';

const addon = (): SpawnAddon => createRequire(__filename)(join(ROOT, 'dist/taskmaster-spawn.node')) as SpawnAddon;
const ENV = ['PATH=/usr/bin:/bin'];

function v2Mount(): string | null {
  const line = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => / - cgroup2 /.test(l));
  return line === undefined ? null : line.split(' ')[4]!;
}
const mount = v2Mount();
const noCgroup = process.getuid?.() !== 0 ? 'needs root to make a cgroup' : mount === null ? 'no cgroup v2 hierarchy is mounted here' : undefined;

/** Runs `body` with -1 (no cgroup) or the fd of a fresh cgroup, removed afterwards. */
async function withPath(cgroup: boolean, body: (cgroupFd: number) => Promise<void>): Promise<void> {
  if (!cgroup) return body(-1);
  const dir = join(mount!, `taskmaster-input-test-${process.pid}`);
  mkdirSync(dir);
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await body(fd);
  } finally {
    closeSync(fd);
    await rmdirWhenEmpty(dir);
  }
}

/** The exit of `pid` as [code, signal number]. */
const exitOf = (native: SpawnAddon, pid: number): Promise<[number | null, number | null]> =>
  new Promise((resolve) => native.watchExit(pid, (code, signal) => resolve([code, signal])));

/** All a pipe's or terminal's output until it ends (EOF, or EIO once no one holds the slave). */
function collect(fd: number, terminal: boolean): { stream: Socket; text: () => string; ended: Promise<void> } {
  let text = '';
  const stream = terminal ? terminalStream(fd) : new Socket({ fd, readable: true, writable: false });
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  stream.on('error', () => stream.destroy());
  const ended = new Promise<void>((resolve) => stream.once('close', () => resolve()));
  return { stream, text: () => text, ended };
}

const PATHS = [
  { name: 'the shared descriptor table (no cgroup)', cgroup: false, skip: undefined },
  { name: 'clone3 into a cgroup', cgroup: true, skip: noCgroup },
];

for (const path of PATHS) {
  test(`${path.name}: a stdin pipe is the child's fd 0, and what is written there is read`, { skip: path.skip }, () =>
    withPath(path.cgroup, async (cgroupFd) => {
      const native = addon();
      const [outRead, outWrite] = native.makePipe(0);
      const [inRead, inWrite] = native.makePipe(0);
      const script = 'read line; echo "got $line"; readlink /proc/self/fd/0';
      const pid = native.spawn('/bin/sh', ['sh', '-c', script], ENV, null, outWrite, outWrite, false, cgroupFd, inRead, null);
      const exited = exitOf(native, pid);
      // The child holds its ends now.
      closeSync(outWrite);
      closeSync(inRead);
      const out = collect(outRead, false);
      writeSync(inWrite, 'hello\n');
      closeSync(inWrite);
      assert.deepEqual(await exited, [0, null]);
      await out.ended;
      const lines = out.text().trim().split('\n');
      assert.equal(lines[0], 'got hello', out.text());
      assert.match(lines[1]!, /^pipe:\[\d+\]$/, out.text());
    }));

  test(`${path.name}: a terminal is the child's 0, 1, 2 and controlling terminal, of the size asked; Ctrl-C interrupts it`, { skip: path.skip }, () =>
    withPath(path.cgroup, async (cgroupFd) => {
      const native = addon();
      const [master, slave] = native.openPty(30, 100);
      assert.match(slave, /^\/dev\/pts\/\d+$/);
      // `exec 3</dev/tty` fails without a controlling terminal. Then it waits
      // for a Ctrl-C in the foreground, as a person's command would.
      const script = `exec 3</dev/tty && echo ctty; stty size; readlink /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2; echo waiting; exec sleep 600`;
      const pid = native.spawn('/bin/sh', ['sh', '-c', script], ENV, null, -1, -1, false, cgroupFd, -1, slave);
      const exited = exitOf(native, pid);
      const out = collect(master, true);
      await waitFor(() => out.text().includes('waiting') && readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep'), 'the child to report and sleep');
      const lines = out.text().split(/\r?\n/);
      assert.ok(lines.includes('ctty'), out.text());
      assert.ok(lines.includes('30 100'), out.text());
      assert.equal(lines.filter((l) => l === slave).length, 3, out.text());
      native.setWindowSize(master, 40, 120); // a live terminal takes a new size without complaint
      // The byte the terminal's line discipline turns into SIGINT for its foreground group.
      out.stream.write('\x03');
      assert.deepEqual(await exited, [null, 2]);
      await out.ended;
    }));
}
