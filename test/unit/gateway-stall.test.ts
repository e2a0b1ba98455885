// The stall rule for remote followers: a client is cut once it has taken
// nothing for stall_timeout while an answer waits, and never while it takes
// some, however little. Time is a fake clock; timers are Node's mocked ones.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkStall, type ClientSide, StallWatch } from '../../src/gateway/stall';

test('checkStall: fewer bytes waiting is progress; the same or more for the limit is a stall', () => {
  const last = { at: 1000, waiting: 500 };
  const cases: [waiting: number, now: number, want: ReturnType<typeof checkStall>][] = [
    [400, 1500, { stalled: false, last: { at: 1500, waiting: 400 } }], // took 100 bytes
    [400, 9000, { stalled: false, last: { at: 9000, waiting: 400 } }], // took some, even after the limit
    [500, 2999, { stalled: false, last: { at: 1000, waiting: 500 } }], // nothing yet, within the limit
    [500, 3000, { stalled: true, waiting: 500, forMs: 2000 }], // nothing for the limit
    [900, 3500, { stalled: true, waiting: 900, forMs: 2500 }], // more written, none taken
    [900, 2000, { stalled: false, last: { at: 1000, waiting: 900 } }], // more written: the baseline follows it
  ];
  for (const [waiting, now, want] of cases) assert.deepEqual(checkStall(last, waiting, now, 2000), want, `${waiting} bytes at ${now}`);
});

/** A client side whose waiting bytes the test sets. */
function fakeSide(): ClientSide & { bytes: number; cuts: number } {
  const side = { bytes: 0, cuts: 0, waiting: () => side.bytes, cut: () => void side.cuts++ };
  return side;
}

test('StallWatch: a client that takes nothing is reported once, after the limit', (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  let now = 0;
  const side = fakeSide();
  const stalls: { waiting: number; forMs: number }[] = [];
  const watch = new StallWatch(side, 2000, (s) => stalls.push(s), () => now);
  side.bytes = 70_000;
  const taken = watch.handOver();
  for (let step = 0; step < 7; step++) {
    now += 500;
    t.mock.timers.tick(500);
    assert.equal(stalls.length, now >= 2000 ? 1 : 0, `at ${now} ms`);
  }
  assert.deepEqual(stalls, [{ waiting: 70_000, forMs: 2000 }]);
  taken();
  watch.handOver()(); // after a stall: nothing more is watched
  now += 10_000;
  t.mock.timers.tick(10_000);
  assert.equal(stalls.length, 1);
});

test('StallWatch: a slow reader that takes a little every so often is never cut', (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  let now = 0;
  const side = fakeSide();
  const stalls: unknown[] = [];
  const watch = new StallWatch(side, 2000, (s) => stalls.push(s), () => now);
  side.bytes = 1_000_000;
  const taken = watch.handOver();
  for (let step = 0; step < 100; step++) {
    now += 500;
    t.mock.timers.tick(500);
    if (step % 3 === 0) side.bytes -= 1000; // takes a little every 1.5 s, under the 2 s limit
  }
  taken();
  assert.deepEqual(stalls, []);
});

test('StallWatch: an answer taken before the limit stops its watch; 0 watches nothing', (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  let now = 0;
  const side = fakeSide();
  const stalls: unknown[] = [];
  const watch = new StallWatch(side, 2000, (s) => stalls.push(s), () => now);
  side.bytes = 5000;
  for (let i = 0; i < 10; i++) {
    const taken = watch.handOver();
    now += 1500;
    t.mock.timers.tick(1500);
    taken();
  }
  const never = new StallWatch(side, 0, (s) => stalls.push(s), () => now);
  never.handOver();
  now += 60_000;
  t.mock.timers.tick(60_000);
  assert.deepEqual(stalls, []);
});
