// The readiness edge on fake edges: what it watches while a program is
// STARTING (output lines, probes, notify messages), the facts it reports,
// and that it stops the moment the program leaves STARTING.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReadyCheck } from '../../src/config/ready-readers';
import type { NotifyEndpoint, NotifyMessage } from '../../src/readiness/notify-socket';
import { POLL_MS } from '../../src/supervisor/readiness-driver';
import type { ProbeSpec } from '../../src/config/probe-readers';
import type { ProbeContext, Prober } from '../../src/probes/prober';
import type { StateKind } from '../../src/core/states';
import type { Slot } from '../../src/supervisor/slot';
import { statusOf } from '../../src/supervisor/status';
import { Supervisor } from '../../src/supervisor/supervisor';
import { FakeClock, FakeSignaller, FakeSpawner, flushPromises, type LogEntry, program, recordingLog } from './supervisor-fakes';

/** Probes whose answers the test gives, one call at a time. */
class FakeProbes implements Prober {
  readonly calls: { what: string; context: ProbeContext; signal: AbortSignal; answer: (reason: string | null) => void }[] = [];
  probe(spec: ProbeSpec, _ms: number, context: ProbeContext, signal: AbortSignal): Promise<string | null> {
    const what = spec.kind === 'tcp' ? `tcp ${spec.host}:${spec.port}` : spec.kind === 'http' ? `http ${spec.url}` : `exec ${spec.cmd}`;
    return new Promise((answer) => this.calls.push({ what, context, signal, answer }));
  }
  forgetAccounts(): void {}
}

class FakeNotify implements NotifyEndpoint {
  private listener: (m: NotifyMessage) => void = () => undefined;
  open() {
    return { ok: true as const, path: '/run/test/notify.sock' };
  }
  onMessage(l: (m: NotifyMessage) => void) {
    this.listener = l;
  }
  close() {}
  send(pid: number, text: string) {
    this.listener({ pid, uid: 0, text });
  }
}

/** Read through a call, so an assertion on one state does not narrow the next read. */
function kindOf(slot: Slot): StateKind {
  return slot.rec.state.kind;
}

function setup(ready: ReadyCheck, changes: Parameters<typeof program>[1] = {}, groups = new Map<number, number>()) {
  const clock = new FakeClock();
  const spawner = new FakeSpawner(clock);
  const probes = new FakeProbes();
  const notify = new FakeNotify();
  const logged: LogEntry[] = [];
  const sup = new Supervisor({
    clock,
    spawner,
    signaller: new FakeSignaller(),
    log: recordingLog(logged),
    childlogdir: '/nonexistent/childlogdir',
    baseEnv: { PATH: '/usr/bin:/bin' },
    prober: probes,
    readiness: { notify, groupOf: (pid) => groups.get(pid) ?? null },
  });
  const [slot] = sup.addProgram(program('app', { ready, ready_timeout: 5, ...changes }));
  sup.command(slot!, { type: 'start' });
  const describe = (): string => statusOf(slot!, clock.now()).description;
  return { sup, clock, spawner, probes, notify, logged, slot: slot!, describe };
}

test('log: STARTING past starttime until a line matches, split across chunks and on stderr too', () => {
  const { slot, clock, spawner } = setup({ kind: 'log', pattern: 'listening on \\d+$' });
  const pid = spawner.lastPid();
  clock.advance(2000);
  assert.equal(kindOf(slot), 'STARTING', 'starttime plays no part');
  spawner.output(pid, 'stdout', 'booting\nlisten');
  spawner.output(pid, 'stderr', 'listening on port 80\n');
  assert.equal(kindOf(slot), 'STARTING', 'no whole line matched yet');
  spawner.output(pid, 'stdout', 'ing on 8080\r\nmore\n');
  assert.equal(kindOf(slot), 'RUNNING');
  assert.equal(statusOf(slot, clock.now()).description.startsWith(`pid ${pid}, uptime`), true);
});

test('log: a matching line once RUNNING is not looked at (the watch ended with STARTING)', () => {
  const { slot, clock, spawner, logged } = setup({ kind: 'log', pattern: 'up' });
  spawner.output(spawner.lastPid(), 'stdout', 'up\n');
  assert.equal(kindOf(slot), 'RUNNING');
  const before = logged.length;
  spawner.output(spawner.lastPid(), 'stdout', 'up\nup\n');
  clock.advance(10_000);
  assert.equal(logged.length, before, 'nothing was decided on');
});

test('tcp: probed every POLL_MS after the previous answer; the reason shows in status; RUNNING on success, then no more probes', async () => {
  const { slot, clock, probes, describe } = setup({ kind: 'tcp', host: '127.0.0.1', port: 8080 });
  assert.equal(probes.calls.length, 0);
  clock.advance(POLL_MS);
  assert.deepEqual(probes.calls.map((c) => c.what), ['tcp 127.0.0.1:8080']);
  probes.calls[0]!.answer('connection refused');
  await flushPromises();
  assert.match(describe(), /starting \(not ready: tcp 127\.0\.0\.1:8080: connection refused\)/);
  clock.advance(POLL_MS - 1);
  assert.equal(probes.calls.length, 1, 'the next probe waits POLL_MS after the answer');
  clock.advance(1);
  assert.equal(probes.calls.length, 2);
  probes.calls[1]!.answer(null);
  await flushPromises();
  assert.equal(kindOf(slot), 'RUNNING');
  clock.advance(60_000);
  assert.equal(probes.calls.length, 2, 'no probe once RUNNING');
});

test('ready_timeout: stopped, then BACKOFF with the last reason; the probe under way is aborted', async () => {
  const { slot, clock, spawner, probes, sup } = setup({ kind: 'http', url: 'http://127.0.0.1:9/health' }, { startretries: 0 });
  clock.advance(POLL_MS);
  probes.calls[0]!.answer('HTTP 503');
  await flushPromises();
  clock.advance(POLL_MS);
  const pending = probes.calls[1]!;
  clock.advance(5000 - 2 * POLL_MS);
  assert.equal(kindOf(slot), 'STARTING', 'the wake comes a hair after the deadline');
  clock.advance(1);
  assert.equal(kindOf(slot), 'STOPPING');
  assert.equal(pending.signal?.aborted, true, 'the probe under way is aborted');
  spawner.exit(spawner.lastPid(), null, 'SIGTERM');
  clock.runTurns();
  assert.equal(kindOf(slot), 'FATAL', 'startretries 0: BACKOFF, then FATAL');
  assert.equal(slot.rec.spawnError, 'not ready after 5s (http http://127.0.0.1:9/health: HTTP 503)');
  assert.equal(statusOf(slot, clock.now()).description, 'not ready after 5s (http http://127.0.0.1:9/health: HTTP 503)');
  assert.equal(sup.list().length, 1);
});

test('exec: probed as the program runs: its user, its workingdir, its environment', () => {
  const { probes, clock } = setup({ kind: 'exec', cmd: 'pg_isready -q' }, { user: 'postgres', workingdir: '/srv/db', env: { PGPORT: '5433' } });
  clock.advance(POLL_MS);
  const [call] = probes.calls;
  assert.equal(call?.what, 'exec pg_isready -q');
  assert.deepEqual([call!.context.user, call!.context.cwd, call!.context.env.PGPORT], ['postgres', '/srv/db', '5433']);
});

test('notify: NOTIFY_SOCKET and WATCHDOG_USEC in the environment; READY=1 from the main pid makes it RUNNING; STATUS= shows', () => {
  const { slot, clock, spawner, notify, describe } = setup({ kind: 'notify' }, { watchdog_sec: 3 });
  assert.equal(spawner.spawns[0]!.spec.env.NOTIFY_SOCKET, '/run/test/notify.sock');
  assert.equal(spawner.spawns[0]!.spec.env.WATCHDOG_USEC, '3000000');
  const pid = spawner.lastPid();
  notify.send(pid, 'STATUS=loading data');
  assert.match(describe(), /starting \(not ready: no READY=1\); loading data$/);
  notify.send(pid, 'READY=1\nSTATUS=serving');
  assert.equal(kindOf(slot), 'RUNNING');
  assert.equal(statusOf(slot, clock.now()).notifyStatus, 'serving');
  notify.send(pid, 'RELOADING=1');
  assert.match(describe(), /; reloading; serving$/);
  assert.equal(statusOf(slot, clock.now()).notifyPhase, 'reloading');
  notify.send(pid, 'READY=1');
  assert.equal(statusOf(slot, clock.now()).notifyPhase, undefined);
});

test('notify: another process cannot speak for the program; one in its process group can', () => {
  const { slot, spawner, notify, logged } = setup({ kind: 'notify' }, {}, new Map([[4242, 1000]]));
  const pid = spawner.lastPid();
  assert.equal(pid, 1000);
  notify.send(777, 'READY=1');
  notify.send(777, 'READY=1');
  assert.equal(kindOf(slot), 'STARTING');
  assert.equal(logged.filter((e) => e.msg.includes('ignored a message from pid 777')).length, 1, 'logged once');
  notify.send(4242, 'READY=1'); // systemd-notify, run by the program's shell
  assert.equal(kindOf(slot), 'RUNNING');
});

test('notify watchdog: pings keep it up; silence for watchdog_sec restarts it, and the old pid is no longer heard', () => {
  const { slot, clock, spawner, notify } = setup({ kind: 'notify' }, { watchdog_sec: 2 });
  const first = spawner.lastPid();
  notify.send(first, 'READY=1');
  for (let i = 0; i < 4; i++) {
    clock.advance(1500);
    notify.send(first, 'WATCHDOG=1');
  }
  assert.equal(kindOf(slot), 'RUNNING');
  clock.advance(2000);
  assert.equal(kindOf(slot), 'RUNNING', 'the wake comes a hair after the deadline');
  clock.advance(1);
  assert.equal(kindOf(slot), 'STOPPING');
  spawner.exit(first, null, 'SIGTERM');
  clock.runTurns();
  assert.equal(kindOf(slot), 'STARTING');
  const second = spawner.lastPid();
  assert.notEqual(second, first);
  notify.send(first, 'READY=1');
  assert.equal(kindOf(slot), 'STARTING', 'the old pid speaks for no one');
  notify.send(second, 'READY=1');
  assert.equal(kindOf(slot), 'RUNNING');
});

test('without ready: no probe, no environment added, starttime as before', () => {
  const clock = new FakeClock();
  const spawner = new FakeSpawner(clock);
  const probes = new FakeProbes();
  const sup = new Supervisor({ clock, spawner, signaller: new FakeSignaller(), log: recordingLog([]), childlogdir: '/x', baseEnv: {}, prober: probes });
  const [slot] = sup.addProgram(program('plain'));
  sup.command(slot!, { type: 'start' });
  assert.equal(spawner.spawns[0]!.spec.env.NOTIFY_SOCKET, undefined);
  clock.advance(1001);
  assert.equal(kindOf(slot!), 'RUNNING');
  assert.equal(probes.calls.length, 0);
});
