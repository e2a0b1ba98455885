// `taskmasterctl fg` over the remote API (the real daemon, the real gateway,
// the remote CLI with a client certificate): AttachService goes through the
// gateway as the socket's commands do. Watching needs the read right, typing
// the control right: a reader's input is refused, said once, and it stays
// attached until its input ends.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type KeyPair, makeTestCerts, type TestCerts } from '../fixtures/certs';
import { gatewayPort, remoteBlock } from './gateway-helpers';
import { readText, startDaemon, TASKMASTERCTL, waitFor } from './harness';
import { program, waitState } from './lifecycle-helpers';

const USERS = { ops: 'programs: control', dev: 'programs: read' };

/** `fg NAME` through the remote CLI as `as`, with `input` piped in. */
function remoteFg(port: number, certs: TestCerts, as: KeyPair, name: string, input: string) {
  const args = ['-H', `localhost:${port}`, '--cert', as.cert, '--key', as.key, '--ca', certs.ca, 'fg', name];
  return spawnSync(TASKMASTERCTL, args, { input, encoding: 'utf8', timeout: 60_000, env: { ...process.env, HOME: certs.dir, TASKMASTER_HOST: '' } });
}

test('fg over the remote API: input from an identity with the control right reaches the process; a reader watches, its input refused', async () => {
  assert.equal(process.getuid?.(), 0, 'this test needs root (CI runs the suite as root): the gateway is started as another user');
  const certs = makeTestCerts();
  // The gateway user must reach its socket: the daemon's directory is searchable by others.
  const dir = mkdtempSync(join(tmpdir(), 'tm-it-'));
  chmodSync(dir, 0o711);
  const d = await startDaemon(program('echo', { cmd: "/bin/sed -u 's/^/echo: /'", stdin: 'pipe' }), remoteBlock(certs, USERS), dir);
  try {
    const port = await gatewayPort(d);
    const { pid } = await waitState(d, 'echo', 'RUNNING');
    const log = join(d.logdir, 'echo.stdout.log');

    const ops = remoteFg(port, certs, certs.ops, 'echo', 'over the wire\n');
    assert.equal(ops.status, 0, ops.stderr);
    assert.match(ops.stderr, new RegExp(`\\[attached to echo, pid ${pid} \\(its stdin, a line at a time\\)`));
    assert.match(ops.stderr, /\[detached from echo; it runs on\]/);
    await waitFor(() => /^echo: over the wire$/m.test(readText(log)), `the answer in ${log}`);

    const dev = remoteFg(port, certs, certs.dev, 'echo', 'not from a reader\n');
    assert.equal(dev.status, 0, dev.stderr);
    assert.match(dev.stderr, /\[attached to echo, pid \d+/);
    assert.match(dev.stderr, /\[identity dev may not sendInput: it needs the control right\]/);
    assert.doesNotMatch(readText(log), /not from a reader/);
    assert.equal((await waitState(d, 'echo', 'RUNNING')).pid, pid);
  } finally {
    await d.stop();
  }
});
