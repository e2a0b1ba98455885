// The health checks' edge (supervisor/health-checks.ts) inside the Supervisor, on the
// fake clock and spawner, with a prober whose answers the test gives: when
// probes run, that they never overlap, what a verdict does to the process,
// and that a program without a healthcheck costs nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HealthCheck, HealthProbe } from '../../src/config/health-fields';
import type { Prober, ProbeContext } from '../../src/probes/prober';
import { Supervisor } from '../../src/supervisor/supervisor';
import { statusOf } from '../../src/supervisor/status';
import { HealthState } from '../../src/gen/taskmaster/v1/control_pb';
import { FakeClock, FakeSignaller, FakeSpawner, flushPromises, type LogEntry, program, recordingLog } from './supervisor-fakes';

interface Call {
  at: number;
  probe: HealthProbe;
  timeoutMs: number;
  context: ProbeContext;
  signal: AbortSignal;
  answer: (failure: string | null) => void;
}

/** A prober whose every probe waits until the test answers it. */
class FakeProber implements Prober {
  readonly calls: Call[] = [];
  forgotten = 0;
  constructor(private readonly clock: FakeClock) {}
  probe(probe: HealthProbe, timeoutMs: number, context: ProbeContext, signal: AbortSignal): Promise<string | null> {
    return new Promise((resolve) => this.calls.push({ at: this.clock.now(), probe, timeoutMs, context, signal, answer: resolve }));
  }
  forgetAccounts(): void {
    this.forgotten += 1;
  }
  /** Answers the newest probe and lets its callbacks run. */
  async answer(failure: string | null): Promise<void> {
    this.calls.at(-1)!.answer(failure);
    await flushPromises();
  }
}

const CHECK: HealthCheck = { probe: { kind: 'http', url: 'http://127.0.0.1:8080/health' }, interval: 10, timeout: 5, retries: 2, start_period: 0, action: 'restart' };

/** srv RUNNING at t = 1001 (starttime 1s), its healthcheck `check`. */
function running(check: Partial<HealthCheck> | null = {}, changes: Parameters<typeof program>[1] = {}) {
  const clock = new FakeClock();
  const spawner = new FakeSpawner(clock);
  const signaller = new FakeSignaller();
  const prober = new FakeProber(clock);
  const logged: LogEntry[] = [];
  const sup = new Supervisor({ clock, spawner, signaller, prober, log: recordingLog(logged), childlogdir: '/nonexistent', baseEnv: { PATH: '/bin' } });
  const healthcheck = check === null ? null : { ...CHECK, ...check };
  const [slot] = sup.addProgram(program('srv', { healthcheck, ...changes }));
  sup.command(slot!, { type: 'start' });
  clock.advance(1001);
  assert.equal(slot!.rec.state.kind, 'RUNNING');
  const messages = () => logged.map((e) => e.msg);
  return { sup, slot: slot!, clock, spawner, signaller, prober, logged, messages };
}

test('the first probe runs `interval` after RUNNING, with the timeout, the program env, cwd and user', () => {
  const { clock, prober, slot } = running({}, { workingdir: '/srv', user: 'nobody', env: { A: '1' } });
  assert.deepEqual(slot.health, { state: 'starting', failures: 0, lastFailure: null, runStartedAt: 1001 });
  clock.advance(9_999);
  assert.equal(prober.calls.length, 0);
  clock.advance(1);
  assert.equal(prober.calls.length, 1);
  const call = prober.calls[0]!;
  assert.deepEqual([call.at, call.probe, call.timeoutMs], [11_001, CHECK.probe, 5000]);
  assert.deepEqual([call.context.cwd, call.context.user, call.context.env.A, call.context.env.TASKMASTER_PROCESS_NAME], ['/srv', 'nobody', '1', 'srv']);
});

test('never two probes at once: a slow probe holds the next; after it, the next is due interval after its start', async () => {
  const { clock, prober } = running();
  clock.advance(10_000); // probe 1 at 11_001
  clock.advance(60_000);
  assert.equal(prober.calls.length, 1, 'no second probe while the first is out');
  await prober.answer(null); // answered at 71_001, long after interval: the next goes at once
  clock.advance(0);
  assert.deepEqual(prober.calls.map((c) => c.at), [11_001, 71_001]);
  clock.advance(3_000);
  await prober.answer(null); // answered 3s after it began: the next is 7s later
  clock.advance(6_999);
  assert.equal(prober.calls.length, 2);
  clock.advance(1);
  assert.deepEqual(prober.calls.map((c) => c.at), [11_001, 71_001, 81_001]);
});

test('a pass makes it healthy, shown in status; retries failures in a row restart it through stop and start, with the reason', async () => {
  const { clock, prober, slot, signaller, spawner, messages } = running();
  clock.advance(10_000);
  await prober.answer(null);
  assert.equal(slot.health?.state, 'healthy');
  assert.equal(statusOf(slot, clock.now()).health?.state, HealthState.HEALTHY);
  clock.advance(10_000);
  await prober.answer('HTTP 503');
  assert.deepEqual([slot.health?.state, slot.health?.failures, signaller.sent], ['healthy', 1, []]);
  clock.advance(10_000);
  await prober.answer('HTTP 503');
  assert.deepEqual(signaller.sent, ['TERM 1000']);
  assert.ok(messages().includes('srv: RUNNING → STOPPING (health check failed 2 times: HTTP 503)'), messages().join('\n'));
  assert.ok(messages().includes('srv: unhealthy, health check failed 2 times: HTTP 503; restarting'));
  assert.equal(slot.health, null, 'no health outside RUNNING');
  assert.equal(statusOf(slot, clock.now()).health, undefined);
  const calls = prober.calls.length;
  clock.advance(60_000);
  assert.equal(prober.calls.length, calls, 'no probe while STOPPING');
  spawner.exit(1000, null, 'SIGTERM');
  clock.runTurns();
  assert.equal(spawner.spawns.length, 2, 'spawned again: want stayed up');
  clock.advance(1001); // starttime (and the wake's 1 ms): RUNNING again, a fresh run of checks
  assert.equal(slot.rec.state.kind, 'RUNNING');
  assert.deepEqual(slot.health, { state: 'starting', failures: 0, lastFailure: null, runStartedAt: clock.now() });
  clock.advance(10_000);
  assert.equal(prober.calls.length, calls + 1);
});

test('action mark: unhealthy with the reason and no signal; a pass later makes it healthy again', async () => {
  const { clock, prober, slot, signaller, messages } = running({ action: 'mark', retries: 1 });
  clock.advance(10_000);
  await prober.answer('connection refused');
  assert.deepEqual([slot.health?.state, slot.health?.lastFailure, signaller.sent], ['unhealthy', 'connection refused', []]);
  const shown = statusOf(slot, clock.now()).health;
  assert.deepEqual([shown?.state, shown?.lastFailure, shown?.failures], [HealthState.UNHEALTHY, 'connection refused', 1]);
  assert.ok(messages().includes('srv: unhealthy, health check failed 1 time: connection refused (action mark: not restarted)'));
  clock.advance(10_000);
  await prober.answer(null);
  assert.equal(slot.health?.state, 'healthy');
  assert.ok(messages().includes('srv: healthy again (last failure: connection refused)'));
  assert.equal(slot.rec.state.kind, 'RUNNING');
});

test('each change of health is an event (taskmasterctl events): healthy, unhealthy with its failure, healthy again; a failure that changes nothing is none', async () => {
  const { sup, clock, prober, spawner } = running({ action: 'mark', retries: 2 });
  const seen: string[] = [];
  sup.events.subscribe((e) => {
    if (e.type === 'health') seen.push(`${e.process} ${e.pid} ${e.health} ${e.failure}`);
  });
  const pid = spawner.lastPid();
  for (const failure of [null, 'HTTP 503', 'HTTP 503', 'HTTP 503', null]) {
    clock.advance(10_000);
    await prober.answer(failure);
  }
  assert.deepEqual(seen, [`srv ${pid} healthy null`, `srv ${pid} unhealthy HTTP 503`, `srv ${pid} healthy HTTP 503`]);
});

test('start_period: failures within it are shown but not counted; the process stays', async () => {
  const { clock, prober, slot, signaller } = running({ retries: 1, start_period: 25 });
  clock.advance(10_000);
  await prober.answer('HTTP 502');
  clock.advance(10_000);
  await prober.answer('HTTP 502');
  assert.deepEqual([slot.health?.state, slot.health?.failures, slot.health?.lastFailure, signaller.sent], ['starting', 0, 'HTTP 502', []]);
  clock.advance(10_000); // 30s after RUNNING: past start_period
  await prober.answer('HTTP 502');
  assert.deepEqual(signaller.sent, ['TERM 1000']);
});

test('leaving RUNNING aborts the probe out and its late answer changes nothing', async () => {
  const { sup, clock, prober, slot, messages } = running();
  clock.advance(10_000);
  const call = prober.calls[0]!;
  sup.command(slot, { type: 'stop' });
  assert.equal(call.signal.aborted, true);
  const before = messages().length;
  await prober.answer('HTTP 503');
  assert.equal(messages().length, before);
  assert.equal(slot.health, null);
});

test('no healthcheck: no waiter on the slot, no timer while RUNNING, no probe ever', () => {
  const { clock, prober, slot } = running(null);
  assert.equal(slot.waiters.size, 0);
  assert.deepEqual(clock.pending(), []);
  clock.advance(1e6);
  assert.equal(prober.calls.length, 0);
  assert.equal(slot.health, null);
});

test('a reload that adds a healthcheck to a RUNNING process starts checking it; one that removes it stops', async () => {
  const { sup, clock, prober, slot } = running(null);
  sup.updateProgram(slot, { ...slot.program, healthcheck: CHECK }, slot.policy);
  assert.equal(slot.health?.state, 'starting');
  clock.advance(10_000);
  assert.equal(prober.calls.length, 1);
  await prober.answer(null);
  sup.updateProgram(slot, { ...slot.program, healthcheck: null }, slot.policy);
  assert.deepEqual([slot.health, slot.waiters.size, clock.pending()], [null, 0, []]);
  clock.advance(1e6);
  assert.equal(prober.calls.length, 1);
});

test('a reload that leaves the healthcheck as it was keeps the run (and its health) going', async () => {
  const { sup, clock, prober, slot } = running();
  clock.advance(10_000);
  await prober.answer(null);
  sup.updateProgram(slot, { ...slot.program, healthcheck: { ...CHECK }, priority: 5 }, slot.policy);
  assert.equal(slot.health?.state, 'healthy');
  assert.equal(prober.calls.length, 1);
});

test('forgetAccounts reaches the prober too (exec probes look users up as the spawner does)', () => {
  const { sup, prober } = running();
  sup.forgetAccounts();
  assert.equal(prober.forgotten, 1);
});
