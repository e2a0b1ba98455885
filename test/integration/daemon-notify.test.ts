// sd_notify as the daemon speaks it, received on a real datagram socket:
// READY=1 once the control socket answers and autostart programs are
// launched, STATUS= kept current, RELOADING=1 + MONOTONIC_USEC then READY=1
// around a reload, WATCHDOG=1 when asked for, STOPPING=1 at shutdown.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DgramSocket } from 'node-unix-socket';
import { CHILD_CMD, startDaemon, waitFor } from './harness';

function listen(path: string): { messages: string[]; close: () => void } {
  const socket = new DgramSocket();
  const messages: string[] = [];
  socket.on('data', (buf: Buffer) => messages.push(buf.toString()));
  socket.bind(path);
  return { messages, close: () => socket.close() };
}

const PROGRAMS = `  web:\n    cmd: ${CHILD_CMD}\n    starttime: 0.3\n  two:\n    cmd: ${CHILD_CMD}\n    numprocs: 2\n    starttime: 0.3\n`;

test('the daemon notifies READY, STATUS, RELOADING/READY, WATCHDOG and STOPPING in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tm-notify-'));
  const listener = listen(join(dir, 'notify.sock'));
  const env = { ...process.env, NOTIFY_SOCKET: join(dir, 'notify.sock'), WATCHDOG_USEC: '400000' };
  const d = await startDaemon(PROGRAMS, '', dir, env);
  try {
    const ready = (await waitFor(() => listener.messages.find((m) => m.includes('READY=1')), 'READY=1'))!;
    // Sent only after the programs were launched: the daemon log has all three spawns already.
    assert.equal((d.output().match(/spawned: /g) ?? []).length, 3, d.output());
    assert.match(ready, /STATUS=3 programs: 3 starting/);
    assert.match(ready, new RegExp(`MAINPID=${d.proc.pid}`));
    await waitFor(() => listener.messages.includes('STATUS=3 programs: 3 running'), 'STATUS with 3 running');
    await waitFor(() => listener.messages.filter((m) => m === 'WATCHDOG=1').length >= 2, 'watchdog pings');
    assert.equal(d.ctl('reload').code, 0);
    // The CLI ran synchronously: let the listener take in what arrived meanwhile.
    await waitFor(() => listener.messages.some((m) => m.startsWith('RELOADING=1')), 'RELOADING=1');
    const reloading = listener.messages.findIndex((m) => m.startsWith('RELOADING=1'));
    assert.match(listener.messages[reloading]!, /\nMONOTONIC_USEC=\d+$/);
    await waitFor(() => listener.messages.slice(reloading + 1).includes('READY=1'), 'READY=1 after the reload');
    d.proc.kill('SIGTERM');
    await d.exited;
    await waitFor(() => listener.messages.includes('STOPPING=1'), 'STOPPING=1 at shutdown');
  } finally {
    await d.stop();
    listener.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without NOTIFY_SOCKET nothing is sent and the addon is never needed; an abstract one is refused once, clearly', async () => {
  const env = { ...process.env, NOTIFY_SOCKET: '@taskmaster-test-abstract' };
  const d = await startDaemon(PROGRAMS, '', undefined, env);
  try {
    await waitFor(() => d.output().includes('is an abstract socket'), 'the refusal in the log');
    assert.equal(d.output().split('is an abstract socket').length - 1, 1, 'said once');
    // One status: 3 while the programs are STARTING, 0 once RUNNING (starttime 0.3 s).
    const { code } = d.ctl('status');
    assert.ok(code === 0 || code === 3, `the daemon serves on (status exited ${code})`);
  } finally {
    await d.stop();
  }
});
