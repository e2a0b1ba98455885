// The Supervisor's side of detach, on fake edges: the child's output is
// handed over to where its logs were going, no signal reaches it, and its
// later exit is heard (reaped) but never reaches the state machine. One test
// writes a real log file: with maxbytes > 0 it holds an unfinished line back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopAll } from '../../src/supervisor/actions';
import { statusOf } from '../../src/supervisor/status';
import { fakeSupervisor, flushPromises, program, runningSrv } from './supervisor-fakes';

const running = runningSrv;

test('detach: STOPPED "detached, pid N" at once, discarded output handed to /dev/null, no signal, no restart, and its exit reaches no one', async () => {
  const { sup, slot, clock, spawner, signaller, logged, transitions } = running({ autorestart: 'always', stopasgroup: true, killasgroup: true });
  assert.deepEqual(sup.command(slot, { type: 'detach' }), { ok: true });
  assert.deepEqual(slot.rec.state, { kind: 'STOPPED', detachedPid: 1000 });
  assert.equal(slot.child, null);
  assert.deepEqual(spawner.handOvers, [{ pid: 1000, to: { stdout: '/dev/null', stderr: '/dev/null' } }]);
  const status = statusOf(slot, clock.now());
  assert.deepEqual([status.description, status.detachedPid, status.pid], ['detached, pid 1000', 1000, undefined]);

  assert.deepEqual(await stopAll(sup, sup.list(), true), []);
  spawner.exit(1000, 0);
  clock.advance(60_000);
  assert.deepEqual(signaller.sent, []);
  assert.equal(spawner.spawns.length, 1, 'nothing restarted it');
  assert.deepEqual(slot.rec.state, { kind: 'STOPPED', detachedPid: 1000 });
  assert.deepEqual(transitions(), ['srv STOPPED→STARTING', 'srv STARTING→RUNNING', 'srv RUNNING→STOPPED']);
  assert.ok(logged.some((e) => e.msg === 'srv: detached pid 1000 ended: exit status 0'), 'its exit is logged');
  assert.ok(!logged.some((e) => e.level === 'fatal'), 'no BUG');

  assert.deepEqual(sup.command(slot, { type: 'detach' }), { ok: false, code: 'ENOTRUNNING', message: 'not running' });
  sup.command(slot, { type: 'start' });
  await flushPromises();
  assert.equal(spawner.lastPid(), 1001, 'a start runs a new instance');
  assert.equal(statusOf(slot, clock.now()).detachedPid, undefined);
});

test('detach: the unfinished line the log held is written before the handover, and the drain gets the log paths (stderr redirected: the stdout log twice)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tm-detach-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'out.log');
  const { sup, slot, spawner } = running({ stdout: { kind: 'file', path: out }, stdout_maxbytes: 1 << 20, redirect_stderr: true });
  spawner.output(1000, 'stdout', 'whole line\nhalf a li');
  assert.equal(readFileSync(out, 'utf8'), 'whole line\n', 'held back while the line is unfinished');
  sup.command(slot, { type: 'detach' });
  assert.equal(readFileSync(out, 'utf8'), 'whole line\nhalf a li', 'the drain appends the rest of the line after it');
  assert.deepEqual(spawner.handOvers, [{ pid: 1000, to: { stdout: out, stderr: out } }]);
});

test('detach: a handover that fails is logged and the process is detached all the same', () => {
  const { sup, slot, spawner, logged } = running();
  spawner.handOverFailsWith = 'cannot start drain';
  assert.deepEqual(sup.command(slot, { type: 'detach' }), { ok: true });
  assert.deepEqual(slot.rec.state, { kind: 'STOPPED', detachedPid: 1000 });
  assert.ok(logged.some((e) => e.level === 'error' && e.msg.includes('its output stays with taskmasterd: cannot start drain')));
});

test('detach: refused while the process is stopping (its stop signal is out)', () => {
  const { sup, slot, spawner } = running();
  sup.command(slot, { type: 'stop' });
  assert.deepEqual(sup.command(slot, { type: 'detach' }), { ok: false, code: 'ENOTRUNNING', message: 'stopping' });
  assert.deepEqual(spawner.handOvers, []);
});

test('detach under systemd: the process and its drain are handed to the escape, and status says where they went, for that pid only', async () => {
  const asked: { name: string; pid: number; drainPid: number | null }[] = [];
  let place: (where: string) => void = () => assert.fail('escape was not asked');
  const f = fakeSupervisor({
    escape(name, pid, drainPid, placed) {
      asked.push({ name, pid, drainPid });
      place = placed;
    },
    settled: () => Promise.resolve(),
  });
  const [slot] = f.sup.addProgram(program('srv'));
  f.sup.command(slot!, { type: 'start' });
  f.clock.advance(1001);
  f.sup.command(slot!, { type: 'detach' });
  assert.deepEqual(asked, [{ name: 'srv', pid: 1000, drainPid: null }], 'the fake handover starts no drain');
  assert.equal(statusOf(slot!, f.clock.now()).description, 'detached, pid 1000', 'nothing said before the escape answers');
  place('own scope taskmaster-detached-srv-1000.scope');
  assert.equal(statusOf(slot!, f.clock.now()).description, 'detached, pid 1000 (own scope taskmaster-detached-srv-1000.scope)');

  // A later instance, detached in turn, is not described by the first one's answer.
  f.sup.command(slot!, { type: 'start' });
  await flushPromises();
  f.clock.advance(1001);
  f.sup.command(slot!, { type: 'detach' });
  assert.equal(asked.at(-1)?.pid, 1001);
  assert.equal(statusOf(slot!, f.clock.now()).description, 'detached, pid 1001');
});
