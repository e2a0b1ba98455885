// taskmasterd.syslog: the daemon's log, also as RFC 5424 messages on a
// datagram socket — here a real one the test binds, as syslog_socket; and a
// socket that is absent, said once, the daemon going on without it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DgramSocket } from 'node-unix-socket';
import { CHILD_CMD, startDaemon, waitFor } from './harness';

// <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG, facility daemon (3): PRI 24 + severity.
const RFC5424 = /^<(\d{1,3})>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) ([\x21-\x7e]+) taskmasterd (\d+) - - (.*)$/s;

test('with syslog: true every line of the daemon log reaches the syslog socket as RFC 5424', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tm-syslog-'));
  const path = join(dir, 'log.sock');
  const socket = new DgramSocket();
  const messages: string[] = [];
  socket.on('data', (buf: Buffer) => messages.push(buf.toString()));
  socket.bind(path);
  const d = await startDaemon(`  web:\n    cmd: ${CHILD_CMD}\n    starttime: 0.2\n`, `  syslog: true\n  syslog_socket: ${path}\n`);
  try {
    const started = (await waitFor(() => messages.find((m) => / - - taskmasterd \S+ started$/.test(m)), 'the start line at the socket'))!;
    const [, pri, time, , pid] = RFC5424.exec(started) ?? [];
    assert.equal(pri, '30', `info is severity 6: ${started}`);
    assert.ok(Math.abs(Date.parse(time!) - Date.now()) < 10 * 60_000, `a current time: ${time}`);
    assert.equal(Number(pid), d.proc.pid);
    const running = (await waitFor(() => messages.find((m) => / web: STARTING → RUNNING /.test(m)), 'a transition at the socket'))!;
    assert.match(running, RFC5424);
    for (const m of messages) assert.match(m, RFC5424);
  } finally {
    await d.stop();
    socket.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a syslog socket that is absent is said once, and the daemon runs on', async () => {
  const d = await startDaemon(`  web:\n    cmd: ${CHILD_CMD}\n    starttime: 0.2\n`, '  syslog: true\n  syslog_socket: /nonexistent/log.sock\n');
  try {
    await waitFor(async () => (await d.status())[0]?.state === 'RUNNING', 'web to run');
    assert.equal(d.ctl('restart', 'web').code, 0);
    const said = d.output().match(/syslog: no socket at \/nonexistent\/log\.sock/g) ?? [];
    assert.equal(said.length, 1, d.output());
  } finally {
    await d.stop();
  }
});
