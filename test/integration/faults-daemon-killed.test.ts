// A daemon killed with SIGKILL leaves its children running (each is in its
// own session). The next daemon on the same socket must not run them twice:
// it stops what the state file names, checking /proc start times so that a
// reused pid is never killed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { alive, CHILD_CMD, startDaemon, stateOf, waitFor } from './harness';

const PROGRAMS = `  web:\n    cmd: ${CHILD_CMD}\n    starttime: 0.2\n    stoptime: 1\n`;

test('after SIGKILL of the daemon, the next one stops the orphan before starting: one instance runs', async () => {
  const first = await startDaemon(PROGRAMS);
  let second: Awaited<ReturnType<typeof startDaemon>> | null = null;
  try {
    const orphan = await waitFor(async () => {
      const s = await stateOf(first, 'web');
      return s.state === 'RUNNING' ? s.pid : null;
    }, 'web RUNNING');
    first.proc.kill('SIGKILL');
    await first.exited;
    assert.equal(alive(orphan!), true, 'the child outlives a SIGKILLed daemon');
    second = await startDaemon(PROGRAMS, '', first.dir);
    const fresh = await waitFor(async () => {
      const s = await stateOf(second!, 'web');
      return s.state === 'RUNNING' ? s.pid : null;
    }, 'web RUNNING under the new daemon');
    assert.notEqual(fresh, orphan);
    await waitFor(() => !alive(orphan!), 'the orphan to be stopped');
    assert.match(second.output(), /left running by a previous taskmasterd/);
  } finally {
    await second?.stop();
    rmSync(first.dir, { recursive: true, force: true });
  }
});

test('a pid in the state file whose start time differs (a reused pid) is left alone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tm-it-'));
  const bystander = spawn('sleep', ['1000'], { stdio: 'ignore' });
  try {
    // The bystander's pid, but recorded with a start time it does not have.
    writeFileSync(join(dir, 'taskmasterd.state'), JSON.stringify([
      { name: 'web', pid: bystander.pid, starttime: '1', stopsignal: 'TERM', stoptimeMs: 100, stopasgroup: false, killasgroup: false },
    ]));
    const d = await startDaemon(PROGRAMS, '', dir);
    try {
      await waitFor(async () => (await stateOf(d, 'web')).state === 'RUNNING', 'web RUNNING');
      assert.equal(alive(bystander.pid!), true, 'an unrelated process with a recorded pid must not be signalled');
      assert.doesNotMatch(d.output(), /left running by a previous taskmasterd/);
    } finally {
      await d.stop();
    }
  } finally {
    bystander.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
