// autostart, numprocs naming and addressing, and start/stop/restart from the
// CLI returning only once the process is RUNNING or STOPPED.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alive, stateOf } from './harness';
import { join } from 'node:path';
import { program, waitHandlersReady, waitState, withDaemon, withDaemonIn } from './lifecycle-helpers';

test('autostart true starts the program with the daemon; autostart false leaves it STOPPED, "Not started"', () =>
  withDaemon(program('on', {}) + program('off', { autostart: false }), async (d) => {
    const on = await waitState(d, 'on', 'RUNNING');
    assert.ok(on.pid !== null && alive(on.pid));
    const off = await stateOf(d, 'off');
    assert.equal(off.state, 'STOPPED');
    assert.equal(off.pid, null);
    assert.equal(off.description, 'Not started');
  }));

test('numprocs 3 names the processes prog:0, prog:1, prog:2, each with its own pid', () =>
  withDaemon(program('prog', { numprocs: 3 }), async (d) => {
    for (const name of ['prog:0', 'prog:1', 'prog:2']) await waitState(d, name, 'RUNNING');
    const all = (await d.status()).filter((s) => s.program === 'prog');
    assert.deepEqual(all.map((s) => s.name), ['prog:0', 'prog:1', 'prog:2']);
    assert.equal(new Set(all.map((s) => s.pid)).size, 3);
  }));

test('prog:N addresses one instance; prog and prog:* address every instance', () =>
  withDaemon(program('prog', { numprocs: 2 }), async (d) => {
    await waitState(d, 'prog:0', 'RUNNING');
    await waitState(d, 'prog:1', 'RUNNING');
    const states = async () => (await d.status()).map((s) => `${s.name}=${s.state}`);
    const ok = (...args: string[]) => {
      const r = d.ctl(...args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    };

    ok('stop', 'prog:1');
    assert.deepEqual(await states(), ['prog:0=RUNNING', 'prog:1=STOPPED']);
    ok('start', 'prog:1');
    assert.deepEqual(await states(), ['prog:0=RUNNING', 'prog:1=RUNNING']);
    ok('stop', 'prog:*');
    assert.deepEqual(await states(), ['prog:0=STOPPED', 'prog:1=STOPPED']);
    ok('start', 'prog');
    assert.deepEqual(await states(), ['prog:0=RUNNING', 'prog:1=RUNNING']);
    ok('stop', 'prog');
    assert.deepEqual(await states(), ['prog:0=STOPPED', 'prog:1=STOPPED']);

    const st = d.ctl('status', 'prog:0');
    assert.match(st.stdout, /^prog:0\s+STOPPED/m);
    assert.doesNotMatch(st.stdout, /prog:1/);
  }));

// Whole programs skip instances already started, as supervisord's
// startProcessGroup does.
test('start prog:* with one instance already RUNNING starts the other and exits 0', () =>
  withDaemon(program('prog', { numprocs: 2 }), async (d) => {
    await waitState(d, 'prog:0', 'RUNNING');
    await waitState(d, 'prog:1', 'RUNNING');
    assert.equal(d.ctl('stop', 'prog:1').code, 0);
    const r = d.ctl('start', 'prog:*');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal((await stateOf(d, 'prog:1')).state, 'RUNNING');
  }));

test('ctl start returns once the process is RUNNING (not STARTING)', () =>
  withDaemon(program('p', { autostart: false, starttime: 0.5 }), async (d) => {
    const r = d.ctl('start', 'p');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const s = await stateOf(d, 'p');
    assert.equal(s.state, 'RUNNING');
    assert.ok(s.pid !== null && alive(s.pid));
  }));

test('ctl stop returns once the process is STOPPED, even when it ignores SIGTERM until stoptime', () =>
  withDaemonIn((dir) => program('p', { stoptime: 0.5, env: { CHILD_IGNORE: 'TERM', CHILD_PID_FILE: join(dir, 'pid') } }), async (d, dir) => {
    const { pid } = await waitState(d, 'p', 'RUNNING');
    await waitHandlersReady(join(dir, 'pid'), pid!);
    const r = d.ctl('stop', 'p');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const s = await stateOf(d, 'p');
    assert.equal(s.state, 'STOPPED');
    assert.equal(s.pid, null);
    assert.equal(alive(pid!), false);
  }));

test('ctl restart returns RUNNING with a new pid, the old one gone', () =>
  withDaemon(program('p', {}), async (d) => {
    const before = await waitState(d, 'p', 'RUNNING');
    const r = d.ctl('restart', 'p');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const after = await stateOf(d, 'p');
    assert.equal(after.state, 'RUNNING');
    assert.notEqual(after.pid, before.pid);
    assert.equal(alive(before.pid!), false);
  }));
