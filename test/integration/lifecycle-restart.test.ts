// What happens when a RUNNING child ends on its own or is killed from
// outside: autorestart true | false | unexpected, and exitcodes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alive, stateOf } from './harness';
import { program, settle, spawnCount, waitLog, waitState, withDaemon } from './lifecycle-helpers';

test('autorestart unexpected: a child SIGKILLed from outside is restarted with a new pid', () =>
  withDaemon(program('p', { autorestart: 'unexpected' }), async (d) => {
    const first = await waitState(d, 'p', 'RUNNING');
    process.kill(first.pid!, 'SIGKILL');
    const second = await waitState(d, 'p', 'RUNNING', (s) => s.pid !== first.pid);
    assert.ok(alive(second.pid!));
    assert.equal(alive(first.pid!), false);
    await waitLog(d, `spawned: p with pid ${second.pid}`);
    assert.equal(spawnCount(d, 'p'), 2);
  }));

test('autorestart false: a child SIGKILLed from outside stays EXITED, termination by SIGKILL not expected', () =>
  withDaemon(program('p', { autorestart: false }), async (d) => {
    const first = await waitState(d, 'p', 'RUNNING');
    process.kill(first.pid!, 'SIGKILL');
    const s = await waitState(d, 'p', 'EXITED');
    assert.equal(s.exitsignal, 'SIGKILL');
    assert.match(s.description, /terminated by SIGKILL \(not expected\)/);
    await settle();
    assert.equal((await stateOf(d, 'p')).state, 'EXITED');
    assert.equal(spawnCount(d, 'p'), 1);
  }));

test('autorestart true: a clean exit 0 from RUNNING is restarted', () =>
  withDaemon(program('p', { autorestart: true, env: { CHILD_EXIT_AFTER_MS: '500', CHILD_EXIT_CODE: '0' } }), async (d) => {
    const first = await waitState(d, 'p', 'RUNNING');
    const later = await waitState(d, 'p', 'RUNNING', (s) => s.pid !== first.pid);
    assert.equal(later.exitcode, 0);
    await waitLog(d, `spawned: p with pid ${later.pid}`);
    assert.ok(spawnCount(d, 'p') >= 2);
  }));

test('autorestart unexpected with exitcodes [0, 2]: exit 2 is EXITED, expected, and not restarted', () =>
  withDaemon(program('p', { exitcodes: [0, 2], env: { CHILD_EXIT_AFTER_MS: '500', CHILD_EXIT_CODE: '2' } }), async (d) => {
    await waitState(d, 'p', 'RUNNING');
    const s = await waitState(d, 'p', 'EXITED');
    assert.equal(s.exitcode, 2);
    assert.equal(s.exitsignal, null);
    assert.match(s.description, /^exit status 2, /);
    await settle();
    assert.equal((await stateOf(d, 'p')).state, 'EXITED');
    assert.equal(spawnCount(d, 'p'), 1);
  }));

test('autorestart unexpected with exitcodes [0, 2]: exit 3 is unexpected and restarted', () =>
  withDaemon(program('p', { exitcodes: [0, 2], env: { CHILD_EXIT_AFTER_MS: '500', CHILD_EXIT_CODE: '3' } }), async (d) => {
    const first = await waitState(d, 'p', 'RUNNING');
    const later = await waitState(d, 'p', 'RUNNING', (s) => s.pid !== first.pid);
    assert.equal(later.exitcode, 3);
    await waitLog(d, `spawned: p with pid ${later.pid}`);
    assert.ok(spawnCount(d, 'p') >= 2);
  }));

test('a death by signal is never expected, even with its number in exitcodes', () =>
  // 137 = 128 + SIGKILL, the shell's way of writing it; the core must not confuse the two.
  withDaemon(program('p', { autorestart: false, exitcodes: [0, 9, 137] }), async (d) => {
    const first = await waitState(d, 'p', 'RUNNING');
    process.kill(first.pid!, 'SIGKILL');
    const s = await waitState(d, 'p', 'EXITED');
    assert.equal(s.exitcode, null);
    assert.match(s.description, /\(not expected\)/);
  }));
