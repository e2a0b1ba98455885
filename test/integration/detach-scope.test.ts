// The OS side of a detached process's escape from the daemon's systemd
// service, on real processes with a stand-in for busctl (a script that
// records its arguments): the detached group is read from /proc whole, the
// drain comes along, nothing else does, and a refusal is said once and
// shown in status. The real busctl under a real systemd: test/system.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detachEscape, NO_ESCAPE } from '../../src/supervisor/detach-scope';
import { type LogEntry, recordingLog } from '../unit/supervisor-fakes';
import { readText, waitFor } from './harness';

const IN_SERVICE = '0::/system.slice/taskmaster.service\n';

/** A group of three (a shell and two sleeps, their pids in `dir`) and a lone process standing for the drain. */
async function detachedGroupAndDrain(dir: string): Promise<{ leader: number; members: number[]; drain: number; kill(): void }> {
  const shell = spawn('/bin/sh', ['-c', `sleep 1000 & echo $! > ${dir}/s1; sleep 1000 & echo $! > ${dir}/s2; wait`], { detached: true, stdio: 'ignore' });
  const drain = spawn('/bin/sleep', ['1000'], { detached: true, stdio: 'ignore' });
  const [leader, drainPid] = [shell.pid!, drain.pid!];
  const pidIn = (f: string): number => Number(readText(join(dir, f)).trim());
  await waitFor(() => pidIn('s1') > 0 && pidIn('s2') > 0, 'the shell to start both sleeps');
  const kill = (): void => {
    for (const group of [leader, drainPid]) {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  };
  return { leader, members: [leader, pidIn('s1'), pidIn('s2')], drain: drainPid, kill };
}

/** A busctl stand-in: appends its arguments, one per line, then a line `--`, to `calls`; says `stderr` and exits `code`. */
function fakeBusctl(dir: string, code: number, stderr = ''): { path: string; calls(): string[][] } {
  const path = join(dir, 'busctl');
  const calls = join(dir, 'calls');
  writeFileSync(path, `#!/bin/sh\nprintf '%s\\n' "$@" -- >> ${calls}\n${stderr ? `echo '${stderr}' >&2\n` : ''}exit ${code}\n`, { mode: 0o755 });
  return {
    path,
    calls: () =>
      readText(calls)
        .split('--\n')
        .filter(Boolean)
        .map((c) => c.trimEnd().split('\n')),
  };
}

function withDir(run: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tm-scope-'));
    try {
      await run(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test('in a service: the whole process group and the drain go into taskmaster-detached-NAME-PID.scope, and nothing else', withDir(async (dir) => {
  const procs = await detachedGroupAndDrain(dir);
  try {
    const busctl = fakeBusctl(dir, 0);
    const logged: LogEntry[] = [];
    let where: string | null = null;
    const escape = detachEscape(recordingLog(logged), { cgroup: IN_SERVICE, busctl: busctl.path });
    escape.escape('web_00', procs.leader, procs.drain, (w) => (where = w));
    await escape.settled(); // what the daemon waits for before it exits
    const unit = `taskmaster-detached-web_00-${procs.leader}.scope`;
    assert.equal(where, `own scope ${unit}`);
    const calls = busctl.calls();
    assert.equal(calls.length, 1, JSON.stringify(calls));
    const args = calls[0]!;
    assert.deepEqual(args.slice(6, 11), ['StartTransientUnit', 'ssa(sv)a(sa(sv))', unit, 'fail', '3']);
    const want = [...procs.members, procs.drain].sort((a, b) => a - b);
    assert.deepEqual(args.slice(11, 14 + want.length), ['PIDs', 'au', String(want.length), ...want.map(String)]);
    assert.ok(!args.includes(String(process.pid)), 'the test itself is in no such group');
    assert.ok(logged.some((e) => e.level === 'info' && e.msg === `web_00: detached pid ${procs.leader} moved out of taskmaster.service into ${unit}`));
  } finally {
    procs.kill();
  }
}));

test('in a service, refused: one warning saying the process ends with the service, and status is told so', withDir(async (dir) => {
  const procs = await detachedGroupAndDrain(dir);
  try {
    const busctl = fakeBusctl(dir, 1, 'Call failed: Access denied');
    const logged: LogEntry[] = [];
    let where: string | null = null;
    const escape = detachEscape(recordingLog(logged), { cgroup: IN_SERVICE, busctl: busctl.path });
    escape.escape('web_00', procs.leader, null, (w) => (where = w));
    await escape.settled();
    assert.equal(where, 'ends with taskmaster.service');
    assert.equal(busctl.calls().length, 1, 'the group did not change: no second try');
    const warnings = logged.filter((e) => e.level === 'warn');
    assert.equal(warnings.length, 1, JSON.stringify(logged));
    assert.match(warnings[0]!.msg, /^web_00: detached pid \d+ stays in taskmaster\.service and will end when it stops: cannot make scope .*: Call failed: Access denied$/);
  } finally {
    procs.kill();
  }
}));

test('not in a service (a login session, a container, no systemd): no escape at all', () => {
  const log = recordingLog([]);
  for (const cgroup of ['0::/user.slice/user-0.slice/session-1.scope\n', '0::/\n', null]) {
    assert.equal(detachEscape(log, { cgroup, busctl: '/nonexistent/busctl' }), NO_ESCAPE, String(cgroup));
  }
  // And this machine's own cgroup, whatever it is, is read without throwing.
  assert.ok(detachEscape(log), 'the default options read /proc/self/cgroup');
});
