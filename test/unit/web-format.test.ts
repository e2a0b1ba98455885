// The web view's formatting: absent stats are "–", never a made-up zero.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ABSENT, bytes, keepTail, percent, stateName, stateTone, uptime } from '../../src/web/format';

describe('web view formatting', () => {
  it('shows absent values as a dash', () => {
    assert.deepEqual([uptime(undefined), bytes(undefined), percent(undefined)], [ABSENT, ABSENT, ABSENT]);
    assert.deepEqual([bytes(0), percent(0), uptime(0)], ['0 B', '0.0 %', '0:00:00']);
  });

  it('formats uptimes, sizes and percentages', () => {
    assert.equal(uptime(307), '0:05:07');
    assert.equal(uptime(2 * 86400 + 3 * 3600 + 4 * 60 + 5), '2d 3:04:05');
    assert.equal(bytes(1536), '1.5 KiB');
    assert.equal(bytes(300n * 1024n * 1024n), '300 MiB');
    assert.equal(percent(12.345), '12.3 %');
  });

  it('names and colours every state', () => {
    const names = [0, 1, 2, 3, 4, 5, 6, 7].map(stateName);
    assert.deepEqual(names, ['UNKNOWN', 'STOPPED', 'STARTING', 'RUNNING', 'BACKOFF', 'STOPPING', 'EXITED', 'FATAL']);
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map(stateTone), ['bad', 'idle', 'busy', 'ok', 'bad', 'busy', 'idle', 'bad']);
    assert.equal(stateName(99), 'UNKNOWN');
  });

  it('keeps the end of a log, cut at a line start', () => {
    assert.equal(keepTail('a\nb\nc\n', 100), 'a\nb\nc\n');
    assert.equal(keepTail('line1\nline2\nline3\n', 9), 'line3\n');
    assert.equal(keepTail('x'.repeat(1000), 10), 'x'.repeat(10));
  });
});
