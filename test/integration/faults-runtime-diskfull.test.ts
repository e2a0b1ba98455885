// A full disk under the program logs: the children keep running and keep
// writing (the daemon drops what it cannot store instead of leaving their
// pipes unread), the daemon says so once per stream rather than once per
// write, and the logs fill again once there is space.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { waitFor } from './harness';
import { program, waitState, withDaemon, withScratch } from './lifecycle-helpers';
import { logLines, nodeScript } from './faults-runtime-helpers';

const WRITERS = ['writer0', 'writer1'];
// A child whose pipe the daemon stopped reading blocks once the pipe's
// buffer is full: a few hundred KiB at most, a few hundred of these lines.
const WRITER = `
const fs = require('node:fs');
const heartbeat = process.argv[2];
const pad = 'x'.repeat(1000);
let n = 0;
setInterval(() => {
  for (let k = 0; k < 4; k++) {
    n++;
    fs.writeSync(1, 'out ' + n + ' ' + pad + '\\n');
    fs.writeSync(2, 'err ' + n + ' ' + pad + '\\n');
  }
  fs.writeFileSync(heartbeat + '.tmp', String(n));
  fs.renameSync(heartbeat + '.tmp', heartbeat);
}, 5);
`;

function beats(file: string): number {
  try {
    return Number(readFileSync(file, 'utf8')) || 0;
  } catch {
    return 0;
  }
}

const sizeOf = (path: string): number => statSync(path).size;

test('a full log disk: children keep running and writing, one error per stream, logging resumes with space', async () => {
  assert.equal(process.getuid?.(), 0, 'mounting a tmpfs needs root (CI runs as root)');
  await withScratch(async (dir) => {
    const full = join(dir, 'full');
    mkdirSync(full);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', full]);
    try {
      // Half the space taken already, so the writers fill the rest quickly.
      writeFileSync(join(full, 'filler'), Buffer.alloc(256 * 1024));
      const cmd = nodeScript(dir, 'writer.js', WRITER);
      const programs = WRITERS.map((name) =>
        program(name, {
          cmd: `${cmd} ${join(dir, `${name}.beats`)}`,
          stdout: join(full, `${name}.out`),
          stderr: join(full, `${name}.err`),
          stdout_maxbytes: 0,
          stderr_maxbytes: 0,
        }),
      ).join('');
      await withDaemon(programs, async (d) => {
        const pids = new Map<string, number>();
        for (const name of WRITERS) pids.set(name, (await waitState(d, name, 'RUNNING')).pid!);
        const streams = WRITERS.flatMap((name) => [`stdout log of ${name}`, `stderr log of ${name}`]);
        await waitFor(() => streams.every((s) => logLines(d, `cannot write ${s}`).length > 0), 'every stream to hit the full disk');

        // Well past a pipe's worth of lines (1 MiB) after the disk filled up.
        const before = WRITERS.map((name) => beats(join(dir, `${name}.beats`)));
        await waitFor(
          () => WRITERS.every((name, i) => beats(join(dir, `${name}.beats`)) >= before[i]! + 1000),
          'the writers to keep writing with the disk full',
        );
        for (const name of WRITERS) {
          const s = await waitState(d, name, 'RUNNING');
          assert.equal(s.pid, pids.get(name), `${name} kept its pid`);
        }
        // Hundreds of writes failed per stream; each said so once.
        for (const s of streams) {
          const lines = logLines(d, `cannot write ${s}`);
          assert.equal(lines.length, 1, `${s}: ${lines.length} error lines:\n${lines.slice(0, 3).join('\n')}`);
          assert.match(lines[0]!, /ENOSPC|no space/i);
        }

        // Space returns: the logs grow again.
        const files = WRITERS.flatMap((name) => [join(full, `${name}.out`), join(full, `${name}.err`)]);
        const sizes = files.map(sizeOf);
        execFileSync('mount', ['-o', 'remount,size=16m', full]);
        await waitFor(() => files.every((f, i) => sizeOf(f) > sizes[i]! + 10_000), 'the logs to grow again');
        for (const name of WRITERS) {
          const tail = readFileSync(join(full, `${name}.out`), 'latin1').slice(-5000).split('\n').slice(1, -1);
          assert.ok(tail.length > 0 && tail.every((l) => /^out \d+ x{1000}$/.test(l)), `${name}: whole lines after the gap`);
        }
      });
    } finally {
      execFileSync('umount', [full]);
    }
  });
});
