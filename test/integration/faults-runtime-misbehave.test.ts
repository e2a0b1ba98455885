// Programs that behave badly toward their output and input: bytes that are
// not UTF-8, a closed stdout, an exit in the middle of a large burst, stdin
// never read. Each is logged byte for byte or handled as an ordinary exit,
// and none makes the daemon log an error or stop answering.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { waitFor } from './harness';
import { program, settle, waitState, withDaemon, withScratch } from './lifecycle-helpers';
import { errorLines, nodeScript } from './faults-runtime-helpers';

const CHUNK = 64 * 1024;
const BURST_CHUNKS = 128; // 8 MiB, far more than a pipe holds

// Writes its argument's file to stdout and stderr, then stays.
const BLOB_WRITER = `
const fs = require('node:fs');
const blob = fs.readFileSync(process.argv[2]);
fs.writeSync(1, blob);
fs.writeSync(2, blob);
setInterval(() => {}, 1 << 30);
`;

// Writes CHUNKS chunks of 64 KiB as fast as the pipe takes them, then exits
// with status 3 (or, with a 'kill' argument, SIGKILLs itself halfway).
const BURST = `
const fs = require('node:fs');
const chunk = Buffer.alloc(${CHUNK}, 'b');
const kill = process.argv[2] === 'kill';
for (let i = 0; i < ${BURST_CHUNKS}; i++) {
  if (kill && i === ${BURST_CHUNKS / 2}) process.kill(process.pid, 'SIGKILL');
  fs.writeSync(1, chunk);
}
process.exit(3);
`;

function size(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return -1;
  }
}

test('bad output and input habits of programs cause no error in the daemon', async (t) => {
  await withScratch(async (dir) => {
    // Random bytes, then every kind of invalid UTF-8 on purpose: NULs, lone
    // continuation bytes, overlong forms, surrogates, bytes never valid.
    const blob = Buffer.concat([
      randomBytes(512 * 1024),
      Buffer.from([0x00, 0x00, 0x80, 0xbf, 0xc0, 0x80, 0xe0, 0x80, 0x80, 0xed, 0xa0, 0x80, 0xf8, 0xfe, 0xff, 0x0a, 0xc3]),
    ]);
    writeFileSync(join(dir, 'blob'), blob);
    const writer = nodeScript(dir, 'blob.js', BLOB_WRITER);
    const burst = nodeScript(dir, 'burst.js', BURST);
    const log = (name: string, stream = 'stdout') => join(dir, `${name}.${stream}.log`);
    const files = (name: string) => ({ stdout: log(name), stderr: log(name, 'stderr') });
    const programs = [
      program('binary', { cmd: `${writer} ${join(dir, 'blob')}`, ...files('binary'), stdout_maxbytes: 0, stderr_maxbytes: 0 }),
      program('closer', { cmd: `sh -c 'echo before; exec 1>&- 2>&-; exec sleep 1000'`, ...files('closer'), starttime: 0.5 }),
      program('burst', { cmd: burst, ...files('burst'), autorestart: false, starttime: 0, stdout_maxbytes: 0 }),
      program('burstkill', { cmd: `${burst} kill`, ...files('burstkill'), autorestart: false, starttime: 0, stdout_maxbytes: 0 }),
      program('deaf', { cmd: 'sleep 1000', ...files('deaf'), starttime: 0.5 }),
      program('reader', { cmd: 'cat', ...files('reader'), autorestart: false, starttime: 0 }),
    ].join('');

    await withDaemon(programs, async (d) => {
      await t.test('output that is not UTF-8 is logged byte for byte', async () => {
        await waitFor(() => size(log('binary')) === blob.length && size(log('binary', 'stderr')) === blob.length, 'the blob in both logs');
        assert.ok(readFileSync(log('binary')).equals(blob), 'stdout log = bytes written');
        assert.ok(readFileSync(log('binary', 'stderr')).equals(blob), 'stderr log = bytes written');
        const tail = await d.request({ cmd: 'tail', name: 'binary', stream: 'OUTPUT_STREAM_STDOUT', lines: 10, follow: false });
        assert.equal(typeof (tail.item as { data?: unknown } | undefined)?.data, 'string', `tail of binary output answers: ${JSON.stringify(tail).slice(0, 300)}`);
      });

      await t.test('a program that closes its stdout and stderr keeps running', async () => {
        const first = await waitState(d, 'closer', 'RUNNING');
        await settle();
        const later = await waitState(d, 'closer', 'RUNNING');
        assert.equal(later.pid, first.pid);
        assert.equal(readFileSync(log('closer'), 'utf8'), 'before\n');
      });

      await t.test('an exit in the middle of a large burst: every byte written is logged, then EXITED', async () => {
        const exited = await waitState(d, 'burst', 'EXITED');
        assert.equal(exited.exitcode, 3);
        // The exit may be seen before the pipe is drained: what is left in it still arrives.
        await waitFor(() => size(log('burst')) === CHUNK * BURST_CHUNKS, 'the whole burst in the log');
        const killed = await waitState(d, 'burstkill', 'EXITED');
        assert.equal(killed.exitsignal, 'SIGKILL');
        await waitFor(() => size(log('burstkill')) === (CHUNK * BURST_CHUNKS) / 2, 'the half burst in the log');
        await settle();
        assert.equal(size(log('burstkill')), (CHUNK * BURST_CHUNKS) / 2, 'no byte made up after the kill');
      });

      await t.test('stdin: a program that never reads it runs; one that reads it sees end of file', async () => {
        await waitState(d, 'deaf', 'RUNNING');
        const reader = await waitState(d, 'reader', 'EXITED');
        assert.equal(reader.exitcode, 0);
      });

      await t.test('the daemon logged no error and still answers', async () => {
        assert.deepEqual(errorLines(d), []);
        const s = await d.status();
        assert.equal(s.length, 6);
        assert.deepEqual(
          Object.fromEntries(s.map((p) => [p.name, p.state])),
          { binary: 'RUNNING', closer: 'RUNNING', burst: 'EXITED', burstkill: 'EXITED', deaf: 'RUNNING', reader: 'EXITED' },
        );
      });
    });
  });
});
