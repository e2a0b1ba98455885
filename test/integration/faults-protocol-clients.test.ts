// Clients that misbehave in time rather than in bytes: one that writes a
// byte a second, `tail -f` clients that vanish (SIGKILLed CLI, destroyed
// socket) while the program they follow keeps writing, and one that stops
// reading. None may block the others, keep a descriptor, or make the
// daemon's memory grow with what the program writes afterwards.
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { LineSplitter } from '../../src/protocol/framing';
import { HELLO, pidsOf } from './control-helpers';
import { fdCount, fdsBackTo, quietFdCount, rssBytes } from './faults-protocol-helpers';
import { type Daemon, rawRequest, sleep, TASKMASTERCTL, waitFor } from './harness';
import { program, raw, waitLog, waitState, withDaemon, withScratch } from './lifecycle-helpers';

const BURST_BYTES = 64 * 1024 * 1024;

// A program that writes a line every 50 ms, and on SIGUSR1 BURST_BYTES more
// as fast as the daemon reads them, then "burst N done".
const CHATTY = `
let tick = 0, bursts = 0;
setInterval(() => process.stdout.write('tick ' + tick++ + '\\n'), 50);
process.on('SIGUSR1', () => {
  const line = 'x'.repeat(1023) + '\\n';
  let left = Number(process.env.BURST_BYTES);
  const n = ++bursts;
  const pump = () => {
    while (left > 0) {
      left -= line.length;
      if (!process.stdout.write(line)) return process.stdout.once('drain', pump);
    }
    process.stdout.write('burst ' + n + ' done\\n');
  };
  pump();
});
`;

interface CliFollower {
  proc: ChildProcessWithoutNullStreams;
  out: () => string;
}

function cliFollower(d: Daemon, name: string): CliFollower {
  const proc = spawn(TASKMASTERCTL, ['-s', d.socket, 'tail', '-f', name]);
  let out = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return { proc, out: () => out };
}

interface RawFollower {
  socket: Socket;
  chunks: () => number;
}

function rawFollower(d: Daemon, name: string): RawFollower {
  const socket = connect(d.socket);
  const split = new LineSplitter(64 * 1024 * 1024);
  // The first item is the end of the log as it was (empty: lines 0); those after it were written since.
  let items = 0;
  socket.on('data', (c: Buffer) => {
    for (const p of split.push(c)) if (p.kind === 'line' && 'item' in (JSON.parse(p.line) as object)) items++;
  });
  socket.on('error', () => undefined);
  socket.write(HELLO + JSON.stringify({ id: 1, cmd: 'tail', name, stream: 'OUTPUT_STREAM_STDOUT', lines: 0, follow: true }) + '\n');
  return { socket, chunks: () => Math.max(0, items - 1) };
}

/** Resolves once the last lines of chatty's log include `text`. */
async function waitChatty(d: Daemon, text: string, what: string): Promise<void> {
  await waitFor(async () => {
    const r = await rawRequest(d.socket, { cmd: 'tail', name: 'chatty', stream: 'OUTPUT_STREAM_STDOUT', lines: 3, follow: false });
    return (r.item as { data: string }).data.includes(text);
  }, what, 120_000);
}

/** Sends SIGUSR1 to the program and waits until its burst is in its log. */
async function burst(d: Daemon, pid: number, n: number): Promise<void> {
  process.kill(pid, 'SIGUSR1');
  await waitChatty(d, `burst ${n} done`, `burst ${n} in the log`);
}

const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`;

function withChatty(body: (d: Daemon, pid: number) => Promise<void>): Promise<void> {
  return withScratch((dir) => {
    const script = join(dir, 'chatty.js');
    writeFileSync(script, CHATTY);
    const settings = { cmd: `${process.execPath} ${script}`, stdout_maxbytes: raw('16MB'), stdout_backups: 1, env: { BURST_BYTES: String(BURST_BYTES) } };
    return withDaemon(program('chatty', settings), async (d) => {
      const pid = (await waitState(d, 'chatty', 'RUNNING')).pid!;
      // Its SIGUSR1 handler is set before its first tick; until then SIGUSR1
      // opens node's inspector instead, and no burst ever comes.
      await waitChatty(d, 'tick ', 'the first tick');
      await body(d, pid);
    });
  });
}

test('tail -f clients that vanish (SIGKILLed CLI, destroyed socket) release their follower: fds back, no memory growth as the program writes on', (t) =>
  withChatty(async (d, pid) => {
    const daemonPid = d.proc.pid!;
    // The first burst grows the daemon's heap to where it stays (about 40 MiB
    // for 64 MiB read); the one measured below comes after it.
    await burst(d, pid, 1);
    const baseline = await quietFdCount(daemonPid);
    const clis = [cliFollower(d, 'chatty'), cliFollower(d, 'chatty'), cliFollower(d, 'chatty')];
    const raws = [rawFollower(d, 'chatty'), rawFollower(d, 'chatty'), rawFollower(d, 'chatty')];
    try {
      // Each is following: it got a line written after it connected.
      for (const c of clis) await waitFor(() => /tick \d+/.test(c.out()), 'a tick on a CLI follower');
      for (const r of raws) await waitFor(() => r.chunks() > 0, 'a chunk on a raw follower');
      assert.ok(fdCount(daemonPid) >= baseline + clis.length + raws.length, 'every follower holds a descriptor');

      for (const c of clis) c.proc.kill('SIGKILL');
      for (const r of raws) r.socket.destroy();
      await fdsBackTo(daemonPid, baseline, 'six followers vanished');

      const before = rssBytes(daemonPid);
      await burst(d, pid, 2);
      await fdsBackTo(daemonPid, baseline, `a ${mib(BURST_BYTES)} burst after the followers vanished`);
      const after = rssBytes(daemonPid);
      t.diagnostic(`daemon RSS ${mib(before)} before a ${mib(BURST_BYTES)} burst, ${mib(after)} after`);
      // A follower still subscribed and buffering would hold the whole burst.
      assert.ok(after - before < BURST_BYTES / 2, `daemon RSS grew from ${mib(before)} to ${mib(after)}`);
      assert.equal((await pidsOf(d)).chatty, pid);
    } finally {
      for (const c of clis) c.proc.kill('SIGKILL');
      for (const r of raws) r.socket.destroy();
    }
  }));

test('a tail -f client that stops reading is dropped once 16 MiB wait for it; its descriptor is released while it still exists', () =>
  withChatty(async (d, pid) => {
    const daemonPid = d.proc.pid!;
    const baseline = await quietFdCount(daemonPid);
    const stuck = cliFollower(d, 'chatty');
    try {
      await waitFor(() => /tick \d+/.test(stuck.out()), 'a tick on the follower');
      stuck.proc.kill('SIGSTOP'); // alive, connected, reading nothing
      await burst(d, pid, 1);
      await waitLog(d, 'client too slow to read; disconnected');
      await fdsBackTo(daemonPid, baseline, 'the stuck follower was dropped');
      assert.equal(stuck.proc.exitCode, null, 'the stopped CLI still exists');
      assert.equal(d.ctl('status').code, 0);
    } finally {
      stuck.proc.kill('SIGKILL');
    }
  }));

test('a client writing a byte a second blocks no one, and is answered when its line is complete', () =>
  withDaemon(program('web', {}), async (d) => {
    await waitState(d, 'web', 'RUNNING');
    const daemonPid = d.proc.pid!;
    const baseline = await quietFdCount(daemonPid);
    const request = Buffer.from(HELLO + JSON.stringify({ id: 1, cmd: 'pid', name: 'web' }) + '\n');
    const slow = connect(d.socket);
    const replies: Record<string, unknown>[] = [];
    const split = new LineSplitter(1024 * 1024);
    slow.on('data', (c: Buffer) => {
      for (const p of split.push(c)) if (p.kind === 'line') replies.push(JSON.parse(p.line) as Record<string, unknown>);
    });
    let closedByDaemon = false;
    slow.on('close', () => (closedByDaemon = true));
    await new Promise((r) => slow.once('connect', r));

    // The hello whole, then the request a byte a second, while others are served.
    const helloBytes = Buffer.byteLength(HELLO);
    slow.write(request.subarray(0, helloBytes));
    await waitFor(() => replies.length === 1, 'the hello answered');
    let othersServed = 0;
    let sending = true;
    const others = (async () => {
      while (sending) {
        const [raw, cli] = await Promise.all([rawRequest(d.socket, { cmd: 'status', names: [] }), d.ctlAsync('status')]);
        assert.equal(raw.ok, true);
        assert.equal(cli.code, 0, cli.stderr);
        othersServed++;
      }
    })();
    const dribble = 4;
    for (let i = 0; i < dribble; i++) {
      slow.write(request.subarray(helloBytes + i, helloBytes + i + 1));
      await sleep(1000);
    }
    const servedMidLine = othersServed;
    sending = false;
    await others;
    assert.equal(replies.length, 1, 'no answer to half a line');
    assert.ok(servedMidLine > 0, 'others were answered while the slow client was mid-line');
    assert.equal(closedByDaemon, false, 'the slow client was not dropped');

    slow.write(request.subarray(helloBytes + dribble));
    await waitFor(() => replies.length === 2, 'the answer to the completed line');
    assert.deepEqual(replies[1], { id: 1, ok: true, result: { pids: [{ name: 'web', pid: (await pidsOf(d)).web }] } });
    slow.destroy();
    await fdsBackTo(daemonPid, baseline, 'the slow client left');
  }));
