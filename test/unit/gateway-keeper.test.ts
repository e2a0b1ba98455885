// The daemon's keeper of the gateway process, against a fake spawner and a
// fake clock: what it writes, when it restarts, how it stops.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import {
  GatewayKeeper,
  type GatewayChild,
  type GatewayChildEvents,
  type GatewayEdges,
  type GatewayLaunch,
  KILL_GRACE_MS,
  relayGatewayLine,
  RESTART_DELAY_MAX_MS,
  RESTART_DELAY_MS,
  STABLE_AFTER_MS,
} from '../../src/daemon/gateway-process';
import type { GatewaySettings } from '../../src/gateway/settings';

interface FakeChild extends GatewayChild {
  lines: string[];
  signals: string[];
  inputEnded: boolean;
  events: GatewayChildEvents;
  account: GatewayLaunch['account'];
}

class FakeOs implements GatewayEdges {
  clock = 0;
  children: FakeChild[] = [];
  private timers: { at: number; fn: () => void; live: boolean }[] = [];

  now = (): number => this.clock;

  after = (ms: number, fn: () => void): (() => void) => {
    const t = { at: this.clock + ms, fn, live: true };
    this.timers.push(t);
    return () => void (t.live = false);
  };

  spawn = (account: GatewayLaunch['account'], events: GatewayChildEvents): GatewayChild => {
    const child: FakeChild = {
      pid: 100 + this.children.length,
      lines: [],
      signals: [],
      inputEnded: false,
      events,
      account,
      write: (line) => void child.lines.push(line),
      endInput: () => void (child.inputEnded = true),
      kill: (signal) => void child.signals.push(signal),
    };
    this.children.push(child);
    return child;
  };

  advance(ms: number): void {
    const until = this.clock + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.live && t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.clock = due.at;
      due.live = false;
      due.fn();
    }
    this.clock = until;
  }

  get last(): FakeChild {
    return this.children.at(-1)!;
  }
}

const settings = (over: Partial<GatewaySettings> = {}): GatewaySettings => ({
  listen: { host: '127.0.0.1', port: 7443 },
  cert: 'CERT',
  key: 'KEY',
  ca: 'CA',
  crl: null,
  identity: 'cn',
  socket: '/run/taskmaster/gateway.sock',
  stall_timeout: 30,
  tokens: [],
  link_key: Buffer.alloc(32).toString('base64'),
  ...over,
});
const account = { name: 'taskmaster', uid: 999, gid: 999, home: '/' };

function keeper(launch: GatewayLaunch = { settings: settings(), account }): { os: FakeOs; k: GatewayKeeper; logged: string[] } {
  const os = new FakeOs();
  const logged: string[] = [];
  const log = pino({ level: 'trace' }, { write: (line: string) => void logged.push(line) });
  return { os, k: new GatewayKeeper(launch, os, log), logged };
}

test('start: one gateway as the account, its settings as the first line on stdin', () => {
  const { os, k } = keeper();
  k.start();
  assert.equal(os.children.length, 1);
  assert.deepEqual(os.last.account, account);
  assert.deepEqual(os.last.lines.map((l) => JSON.parse(l) as unknown), [settings()]);
  assert.ok(os.last.lines[0]!.endsWith('\n'));
});

test('a gateway that dies is restarted after the first delay, then with doubling delays up to the cap while it dies young', () => {
  const { os, k } = keeper();
  k.start();
  let expected = RESTART_DELAY_MS;
  for (let n = 1; n <= 10; n++) {
    os.last.events.exit(1, null);
    os.advance(expected - 1);
    assert.equal(os.children.length, n, `death ${n}: not restarted before ${expected} ms`);
    os.advance(1);
    assert.equal(os.children.length, n + 1, `death ${n}: restarted after ${expected} ms`);
    assert.deepEqual(JSON.parse(os.last.lines[0]!), settings(), 'the new one gets the settings too');
    expected = Math.min(expected * 2, RESTART_DELAY_MAX_MS);
  }
  assert.equal(expected, RESTART_DELAY_MAX_MS, 'the cap was reached');
});

test('a gateway that had run a while restarts at the first delay again', () => {
  const { os, k } = keeper();
  k.start();
  os.last.events.exit(null, 'SIGKILL');
  os.advance(RESTART_DELAY_MS);
  os.last.events.exit(null, 'SIGKILL');
  os.advance(RESTART_DELAY_MS * 2);
  os.advance(STABLE_AFTER_MS);
  os.last.events.exit(null, 'SIGSEGV');
  os.advance(RESTART_DELAY_MS);
  assert.equal(os.children.length, 4);
});

test('update: new certificates go to the running gateway as one new line, and only when they changed', async () => {
  const { os, k } = keeper();
  k.start();
  await k.update({ settings: settings(), account });
  assert.equal(os.last.lines.length, 1, 'nothing new: nothing sent');
  await k.update({ settings: settings({ cert: 'CERT2', key: 'KEY2', crl: 'CRL' }), account });
  assert.equal(os.children.length, 1, 'no new process');
  assert.deepEqual(JSON.parse(os.last.lines[1]!), settings({ cert: 'CERT2', key: 'KEY2', crl: 'CRL' }));
});

test('update: a new address takes a new process, started once the old one has exited', async () => {
  const { os, k } = keeper();
  k.start();
  const old = os.last;
  const updated = k.update({ settings: settings({ listen: { host: '::', port: 9443 } }), account });
  assert.deepEqual(old.signals, ['SIGTERM']);
  assert.equal(os.children.length, 1, 'not before the old one exits');
  old.events.exit(0, null);
  await updated;
  assert.equal(os.children.length, 2);
  assert.deepEqual(JSON.parse(os.last.lines[0]!).listen, { host: '::', port: 9443 });
});

test('stop: stdin closed and SIGTERM; SIGKILL only after the grace; resolves at the exit; no restart', async () => {
  const { os, k } = keeper();
  k.start();
  const child = os.last;
  let stopped = false;
  const stopping = k.stop().then(() => (stopped = true));
  assert.equal(child.inputEnded, true);
  assert.deepEqual(child.signals, ['SIGTERM']);
  os.advance(KILL_GRACE_MS - 1);
  assert.deepEqual(child.signals, ['SIGTERM']);
  os.advance(1);
  assert.deepEqual(child.signals, ['SIGTERM', 'SIGKILL']);
  await Promise.resolve();
  assert.equal(stopped, false, 'not before the exit');
  child.events.exit(null, 'SIGKILL');
  await stopping;
  os.advance(RESTART_DELAY_MAX_MS);
  assert.equal(os.children.length, 1, 'a stopped gateway is not restarted');
});

test('stop while waiting to restart cancels the restart', async () => {
  const { os, k } = keeper();
  k.start();
  os.last.events.exit(1, null);
  await k.stop();
  os.advance(RESTART_DELAY_MAX_MS);
  assert.equal(os.children.length, 1);
});

test('the gateway\'s stderr lines go into the daemon\'s log at their level, tagged with its pid', () => {
  const logged: Record<string, unknown>[] = [];
  const log = pino({ level: 'trace' }, { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) });
  relayGatewayLine(log, JSON.stringify({ level: 40, time: 1, pid: 77, msg: 'TLS handshake refused', peer: '10.0.0.1', code: 'CERT_REVOKED' }));
  relayGatewayLine(log, 'Segmentation fault');
  relayGatewayLine(log, '');
  assert.equal(logged.length, 2);
  assert.deepEqual({ ...logged[0], time: undefined, pid: undefined, hostname: undefined }, {
    level: 40,
    gateway: 77,
    peer: '10.0.0.1',
    code: 'CERT_REVOKED',
    msg: 'gateway: TLS handshake refused',
    time: undefined,
    pid: undefined,
    hostname: undefined,
  });
  assert.equal(logged[1]!.msg, 'gateway: Segmentation fault');
  assert.equal(logged[1]!.level, 40);
});
