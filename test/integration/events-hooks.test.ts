// Events and hooks with the real daemon and real processes: the live stream
// of `taskmasterctl events`, an exec hook reading the event on its stdin, a
// webhook to an HTTP server of the test (and one that keeps failing), and
// fatal_action: shutdown.
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ExitEvent, StateEvent, TaskmasterEvent } from '../../src/events/event';
import { alive, type Daemon, readText, startDaemon, TASKMASTERCTL, waitFor } from './harness';
import { program, waitState, withDaemon, withScratch } from './lifecycle-helpers';

interface Follower {
  proc: ChildProcessWithoutNullStreams;
  stdout: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function follow(d: Daemon, ...args: string[]): Follower {
  const proc = spawn(TASKMASTERCTL, ['-s', d.socket, ...args]);
  let out = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.once('exit', (code, signal) => r({ code, signal })));
  return { proc, stdout: () => out, exited };
}

const eventsIn = (text: string): TaskmasterEvent[] =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as TaskmasterEvent);

/** A run seen whole: →RUNNING, then its exit, then RUNNING → EXITED, all of one pid. */
function wholeRun(events: TaskmasterEvent[]): readonly [StateEvent, ExitEvent, StateEvent] | null {
  for (let i = 0; i < events.length; i++) {
    const up = events[i]!;
    if (up.type !== 'state' || up.to !== 'RUNNING') continue;
    const exit = events.slice(i + 1).find((e): e is ExitEvent => e.type === 'exit');
    const down = events.slice(i + 1).find((e): e is StateEvent => e.type === 'state' && e.from === 'RUNNING');
    if (exit !== undefined && down !== undefined && exit.pid === up.pid && down.pid === up.pid) return [up, exit, down] as const;
  }
  return null;
}

test('events --json streams each state change and exit of a program that keeps exiting; Ctrl-C ends it', () =>
  withDaemon(program('cyc', { env: { CHILD_EXIT_AFTER_MS: '500', CHILD_EXIT_CODE: '4' }, autorestart: true }), async (d) => {
    const f = follow(d, 'events', '--json');
    const human = follow(d, 'events');
    try {
      const [up, exit, down] = (await waitFor(() => wholeRun(eventsIn(f.stdout())), 'a whole run of cyc in the stream'))!;
      assert.deepEqual({ ...up, time: 'T', pid: 1 }, { type: 'state', time: 'T', program: 'cyc', process: 'cyc', from: 'STARTING', to: 'RUNNING', reason: up.reason, pid: 1, exit: null });
      assert.ok(!Number.isNaN(Date.parse(up.time)) && typeof up.pid === 'number', JSON.stringify(up));
      assert.deepEqual({ ...exit, time: 'T' }, { type: 'exit', time: 'T', program: 'cyc', process: 'cyc', pid: up.pid, code: 4, signal: null, expected: false });
      assert.deepEqual({ ...down, time: 'T' }, { type: 'state', time: 'T', program: 'cyc', process: 'cyc', from: 'RUNNING', to: 'EXITED', reason: 'exit status 4; not expected', pid: up.pid, exit: { code: 4, signal: null, expected: false } });
      await waitFor(() => /^\S+ cyc: RUNNING → EXITED \(exit status 4; not expected\) pid \d+$/m.test(human.stdout()), 'the human form');
      f.proc.kill('SIGINT');
      human.proc.kill('SIGINT');
      assert.deepEqual(await f.exited, { code: 0, signal: null });
      assert.deepEqual(await human.exited, { code: 0, signal: null });
    } finally {
      f.proc.kill('SIGKILL');
      human.proc.kill('SIGKILL');
    }
  }));

test('a reload is an event of its own', () =>
  withDaemon(program('a', {}), async (d) => {
    const f = follow(d, 'events', '--json');
    try {
      // The follower is subscribed once it saw a reload; until then, reload again.
      await waitFor(() => {
        if (eventsIn(f.stdout()).some((e) => e.type === 'reload')) return true;
        d.writeConfig(program('a', {}) + program(`b${Date.now()}`, { autostart: false }));
        assert.equal(d.ctl('reload').code, 0);
        return false;
      }, 'a reload in the stream');
      const reload = eventsIn(f.stdout()).find((e) => e.type === 'reload')!;
      assert.equal(reload.type, 'reload');
      assert.match(JSON.stringify(reload), /"added":\["b\d+"\],"removed":\[.*\],"restarted":\[\],"updated":\[\]/);
    } finally {
      f.proc.kill('SIGKILL');
    }
  }));

test("an exec hook gets the event as JSON on its stdin, as the program's user", () =>
  withScratch(async (dir) => {
    const out = join(dir, 'exit.json');
    const hook = `sh -c 'id -u > ${out}.uid; cat > ${out}.tmp && mv ${out}.tmp ${out}'`;
    const programs = program('once', { env: { CHILD_EXIT_AFTER_MS: '300' }, autorestart: false, user: 'nobody', on_exit: { exec: hook } });
    await withDaemon(programs, async (d) => {
      const text = (await waitFor(() => readText(out), 'the hook to write the event'))!;
      const event = JSON.parse(text) as TaskmasterEvent;
      assert.equal(event.type, 'exit');
      assert.deepEqual({ ...event, time: 'T', pid: 1 }, { type: 'exit', time: 'T', program: 'once', process: 'once', pid: 1, code: 0, signal: null, expected: true });
      assert.equal(readText(`${out}.uid`).trim(), '65534', 'run as nobody, the program user');
      assert.equal((await waitState(d, 'once', 'EXITED')).state, 'EXITED');
    });
  }));

interface Hooked {
  server: Server;
  url: string;
  bodies: { type: string | undefined; body: unknown }[];
  close(): Promise<void>;
}

/** An HTTP server that answers `status` to every POST and keeps what it got. */
async function hookServer(status: number): Promise<Hooked> {
  const bodies: Hooked['bodies'] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      bodies.push({ type: req.headers['content-type'], body: JSON.parse(data) });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/hook`, bodies, close: () => new Promise((r) => server.close(() => r())) };
}

test('a webhook receives each state change as JSON; a failing one is retried, given up, logged, and supervision goes on', async () => {
  const good = await hookServer(204);
  const bad = await hookServer(500);
  try {
    const programs = program('web', { on_state: { webhook: good.url } }) + program('flaky', { on_state: { webhook: `${bad.url}?token=s3cret`, retries: 1, timeout: 5 } });
    await withDaemon(programs, async (d) => {
      await waitFor(() => good.bodies.some((b) => (b.body as StateEvent).to === 'RUNNING'), 'the RUNNING event at the webhook');
      const running = good.bodies.find((b) => (b.body as StateEvent).to === 'RUNNING')!;
      assert.equal(running.type, 'application/json');
      assert.deepEqual({ ...(running.body as StateEvent), time: 'T', pid: 1, reason: 'R' }, { type: 'state', time: 'T', program: 'web', process: 'web', from: 'STARTING', to: 'RUNNING', reason: 'R', pid: 1, exit: null });
      // flaky: STOPPED → STARTING and STARTING → RUNNING, each POSTed twice (retries: 1), then given up.
      await waitFor(() => (d.output().match(/gave up after 2 attempt\(s\)/g) ?? []).length === 2, 'both of flaky’s events given up');
      assert.equal(bad.bodies.length, 4);
      assert.match(d.output(), /hook on_state of flaky to http:\/\/127\.0\.0\.1:\d+\/hook failed: HTTP 500; retry 1 of 1 in 1s/);
      assert.doesNotMatch(d.output(), /s3cret/);
      const rows = await d.status();
      assert.deepEqual(rows.map((r) => `${r.name}=${r.state}`), ['web=RUNNING', 'flaky=RUNNING']);
    });
  } finally {
    await good.close();
    await bad.close();
  }
});

test('fatal_action shutdown: a program going FATAL stops every program and the daemon, which exits 3', async () => {
  // other (priority 1) is spawned first, so the shutdown has a live process to stop.
  const programs = program('other', { priority: 1 }) + program('critical', { cmd: '/bin/false', startretries: 0, priority: 2, fatal_action: 'shutdown' });
  const d = await startDaemon(programs);
  try {
    const { code } = await d.exited;
    assert.equal(code, 3, d.output());
    assert.match(d.output(), /critical went FATAL \(too many start retries \(0\) too quickly\) and critical has fatal_action: shutdown: stopping every program, then exiting 3/);
    assert.match(d.output(), /shutting down \(critical went FATAL/);
    assert.match(d.output(), /other: (STARTING|RUNNING) → STOPPING/);
    const pid = /spawned: other with pid (\d+)/.exec(d.output())?.[1];
    assert.ok(pid !== undefined && !alive(Number(pid)), `other (pid ${pid}) was stopped`);
  } finally {
    await d.stop();
  }
});
