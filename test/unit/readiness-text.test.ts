// The readiness edge's pure parts: output lines matched as they are read,
// and the sd_notify text a program sends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineMatcher, MAX_LINE } from '../../src/readiness/line-match';
import { parseNotify } from '../../src/readiness/notify-text';

test('line matching: lines split across chunks, CRLF, and a last line without a newline at the end', () => {
  const m = new LineMatcher(/^ready at \d+$/);
  assert.equal(m.feed(Buffer.from('starting\nready at')), false);
  assert.equal(m.feed(Buffer.from(' 12')), false);
  assert.equal(m.feed(Buffer.from('3\r\n')), true);
  const last = new LineMatcher(/done/);
  assert.equal(last.feed(Buffer.from('all done')), false);
  assert.equal(last.end(), true);
});

test('line matching: a line past MAX_LINE without a newline is tested as it is, then forgotten', () => {
  const m = new LineMatcher(/x{10}$/);
  assert.equal(m.feed(Buffer.alloc(MAX_LINE - 5, 'a')), false);
  assert.equal(m.feed(Buffer.from('xxxxxxxxxx')), true);
  assert.equal(m.end(), false, 'nothing was kept');
});

test('sd_notify text: the assignments acted on, the others ignored', () => {
  assert.deepEqual(parseNotify('READY=1\nSTATUS=Serving 3\nMAINPID=42'), { ready: true, status: 'Serving 3', watchdog: false, reloading: false, stopping: false });
  assert.deepEqual(parseNotify('WATCHDOG=1'), { ready: false, status: null, watchdog: true, reloading: false, stopping: false });
  assert.deepEqual(parseNotify('RELOADING=1\nMONOTONIC_USEC=5\nSTOPPING=1\nSTATUS='), { ready: false, status: '', watchdog: false, reloading: true, stopping: true });
  assert.deepEqual(parseNotify('READY=0\nBARRIER=1\ngarbage'), { ready: false, status: null, watchdog: false, reloading: false, stopping: false });
});
