// The real process's side of taskmasterctl's IO: output written straight to
// a file descriptor, handed to a stream once a write fails; and Interrupt,
// the Ctrl-C that the runner and `tail -f` listen to.
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fdOutput } from '../../src/cli/fd-output';
import { Interrupt } from '../../src/cli/interrupt';

/** A stand-in for process.stdout: keeps what it is given. */
function fakeStream() {
  const got: string[] = [];
  const stream = {
    writableLength: 0,
    write: (chunk: string | Uint8Array, done?: () => void) => {
      got.push(Buffer.from(chunk).toString());
      done?.();
      return true;
    },
  };
  return { got, stream: stream as unknown as NodeJS.WriteStream };
}

describe('fdOutput', () => {
  it('writes to the descriptor and never creates the stream', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tm-fd-'));
    const file = join(dir, 'out');
    const fd = openSync(file, 'w');
    try {
      const out = fdOutput(fd, () => assert.fail('the stream was created'));
      out.write('héllo ');
      out.write('world\n');
      await out.flushed();
      assert.equal(readFileSync(file, 'utf8'), 'héllo world\n');
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true });
    }
  });

  it('hands everything to the stream, for good, from the first write that fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tm-fd-'));
    const file = join(dir, 'ro');
    writeFileSync(file, '');
    const fd = openSync(file, 'r'); // writes to it fail (EBADF), as EPIPE or EAGAIN would
    try {
      const fake = fakeStream();
      let created = 0;
      const out = fdOutput(fd, () => (created++, fake.stream));
      out.write('one\n');
      out.write('two\n');
      await out.flushed();
      assert.deepEqual(fake.got, ['one\n', 'two\n']);
      assert.equal(created, 1);
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true });
    }
  });
});

describe('Interrupt', () => {
  it('calls each listener once, in order, and later ones at once', () => {
    const calls: string[] = [];
    const interrupt = new Interrupt();
    interrupt.onAbort(() => calls.push('a'));
    interrupt.onAbort(() => calls.push('b'));
    assert.equal(interrupt.aborted, false);
    interrupt.abort();
    interrupt.abort();
    assert.equal(interrupt.aborted, true);
    interrupt.onAbort(() => calls.push('late'));
    assert.deepEqual(calls, ['a', 'b', 'late']);
  });

  it('forgets an unsubscribed listener', () => {
    const calls: string[] = [];
    const interrupt = new Interrupt();
    const off = interrupt.onAbort(() => calls.push('gone'));
    interrupt.onAbort(() => calls.push('kept'));
    off();
    interrupt.abort();
    assert.deepEqual(calls, ['kept']);
  });
});
