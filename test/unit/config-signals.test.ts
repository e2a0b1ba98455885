// config/signals.ts is the one table of signal names and numbers: stopsignal,
// the `signal` command, the shell's completion and the names of exits
// reported by number all read it.
import assert from 'node:assert/strict';
import { constants } from 'node:os';
import { test } from 'node:test';
import { completeLine } from '../../src/cli/completion';
import { canonicalSignal, SIGNAL_NAMES, signalName } from '../../src/config/signals';

const PLATFORM = constants.signals as Record<string, number>;

test('the names are the platform\'s, without SIG', () => {
  assert.deepEqual([...SIGNAL_NAMES], Object.keys(PLATFORM).map((n) => n.slice(3)));
  for (const name of SIGNAL_NAMES) assert.equal(canonicalSignal(`sig${name.toLowerCase()}`), name);
});

test('a number gets the usual name of its signal, as Node reports a child\'s death', () => {
  for (const num of Object.values(PLATFORM)) {
    const name = signalName(num);
    assert.ok(name !== null, String(num));
    assert.equal(PLATFORM[name], num);
    // The first name listed for the number, not a later alias (SIGIOT for SIGABRT).
    assert.equal(name, Object.keys(PLATFORM).find((n) => PLATFORM[n] === num));
  }
  assert.equal(signalName(PLATFORM.SIGABRT!), 'SIGABRT');
  assert.equal(signalName(-1), null);
});

test('the shell completes a signal from the same table', async () => {
  assert.deepEqual(await completeLine('signal ', async () => []), [[...SIGNAL_NAMES], '']);
});
