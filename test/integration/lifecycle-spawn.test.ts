// What a program finds when it starts, through either way of starting it:
// the spawn addon (posix_spawn + pidfd, the default) and Node's
// child_process (the fallback of a build without a C compiler, forced here
// with TASKMASTER_SPAWN=node).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readText, startDaemon, waitFor } from './harness';
import { program, waitState } from './lifecycle-helpers';

/** What /proc says of a running program: its descriptors, signal masks, and pid, process group and session. */
async function inspect(env: NodeJS.ProcessEnv, openFd3: boolean): Promise<{ fds: string[]; stdin: string; sigBlk: string; sigIgn: string; ids: string[]; daemonLog: string }> {
  // Read from outside while it sleeps: a shell would change its own masks while it waits.
  const d = await startDaemon(program('look', { cmd: '/bin/sleep 1000' }), '', undefined, env, openFd3);
  try {
    const { pid } = await waitState(d, 'look', 'RUNNING');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string): string => status.match(new RegExp(`^${name}:\\t(.*)$`, 'm'))?.[1] ?? '';
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const afterComm = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // state, ppid, pgrp, session, …
    return {
      fds: readdirSync(`/proc/${pid}/fd`).sort(),
      stdin: readlinkSync(`/proc/${pid}/fd/0`),
      sigBlk: field('SigBlk'),
      sigIgn: field('SigIgn'),
      ids: [String(pid), afterComm[2]!, afterComm[3]!],
      daemonLog: d.output(),
    };
  } finally {
    await d.stop();
  }
}

const NONE = '0000000000000000';

test('spawn addon: stdin /dev/null, only fds 0–2 (an inherited fd 3 is closed), default signals, own session', async () => {
  const seen = await inspect(process.env, true);
  assert.deepEqual(seen.fds, ['0', '1', '2']);
  assert.equal(seen.stdin, '/dev/null');
  // Node ignores SIGPIPE, and glibc's posix_spawn would leave its signals 32 and 33 ignored.
  assert.deepEqual([seen.sigBlk, seen.sigIgn], [NONE, NONE]);
  const [pid, pgrp, session] = seen.ids;
  assert.deepEqual([pgrp, session], [pid, pid]);
  assert.doesNotMatch(seen.daemonLog, /spawning through Node/);
  assert.match(seen.daemonLog, /spawning with the spawn addon/);
});

test('TASKMASTER_SPAWN=node: the fallback starts, logs, restarts and stops programs the same way', async () => {
  const env = { ...process.env, TASKMASTER_SPAWN: 'node' };
  const seen = await inspect(env, false);
  assert.equal(seen.sigBlk, NONE);
  // libuv resets signals 1–31 only: 32 and up keep what the daemon inherited
  // (under make, which starts recipes with posix_spawn, 32 comes in ignored).
  assert.equal(BigInt(`0x${seen.sigIgn}`) & 0x7fffffffn, 0n, `SigIgn ${seen.sigIgn}`);
  const [pid, pgrp, session] = seen.ids;
  assert.deepEqual([pgrp, session], [pid, pid]);
  assert.match(seen.daemonLog, /spawning through Node's child_process \(slower starts\): TASKMASTER_SPAWN=node/);

  const d = await startDaemon(program('brief', { env: { CHILD_STDOUT: 'said', CHILD_EXIT_AFTER_MS: 300 }, autorestart: true, starttime: 0.1 }), '', undefined, env);
  try {
    const first = await waitState(d, 'brief', 'RUNNING');
    const again = await waitState(d, 'brief', 'RUNNING', (s) => s.pid !== first.pid);
    assert.notEqual(again.pid, first.pid);
    // The second child's line may reach the log after its RUNNING: wait for it, then check the whole file.
    const log = join(d.logdir, 'brief.stdout.log');
    await waitFor(() => readText(log).split('\n').length > 2, "the second child's line in its log");
    assert.match(readText(log), /^said\nsaid\n/);
    assert.equal(d.ctl('stop', 'brief').code, 0);
    await waitState(d, 'brief', 'STOPPED');
  } finally {
    await d.stop();
  }
});
