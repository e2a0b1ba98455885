// Who may control the daemon: the control socket's owner and mode decide.
// By default it is root's with mode 0700; `socket_owner: root:GROUP` with
// `socket_mode: "0770"` lets members of GROUP in; everyone else is refused
// by the kernel at connect() (EACCES), and taskmasterctl says so with exit 4.
// The socket's directory is made traversable (0755) in every test, so that
// the socket's own mode is what refuses.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Daemon, startDaemon, TASKMASTERCTL } from './harness';
import { idOf, program, waitState } from './lifecycle-helpers';

const NOBODY = ['--reuid=nobody', '--regid=nogroup', '--clear-groups'];
const DAEMON_USER = ['--reuid=daemon', '--regid=daemon', '--init-groups'];

/** taskmasterctl run as another user through setpriv. */
function ctlAs(who: string[], d: Daemon, ...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('setpriv', [...who, TASKMASTERCTL, '-s', d.socket, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function assertRefused(r: { code: number; stderr: string }, who: string): void {
  assert.equal(r.code, 4, `${who}: ${r.stderr}`);
  assert.match(r.stderr, /permission denied \(EACCES\)/, who);
  assert.match(r.stderr, /socket_owner, socket_mode/, `${who}: the message says what decides`);
}

/** A daemon whose socket sits in a directory every user may traverse. */
async function withOpenDir(programs: string, daemonExtra: string, body: (d: Daemon) => Promise<void>): Promise<void> {
  assert.equal(process.getuid?.(), 0, 'these tests need root (CI runs as root)');
  const dir = mkdtempSync(join(tmpdir(), 'tm-access-'));
  chmodSync(dir, 0o755);
  const d = await startDaemon(programs, daemonExtra, dir);
  try {
    await body(d);
  } finally {
    await d.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('by default the socket is root\'s, mode 0700: root controls the daemon, other users get exit 4 and EACCES', () =>
  withOpenDir(program('web', {}), '', async (d) => {
    await waitState(d, 'web', 'RUNNING');
    const st = statSync(d.socket);
    assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [0, 0, 0o700]);
    assert.equal(d.ctl('status').code, 0);
    assertRefused(ctlAs(NOBODY, d, 'status'), 'nobody');
    assertRefused(ctlAs(DAEMON_USER, d, 'stop', 'web'), 'daemon');
    assert.equal((await waitState(d, 'web', 'RUNNING')).state, 'RUNNING', 'the refused stop did nothing');
  }));

test('socket_owner root:daemon with socket_mode "0770": members of group daemon control the daemon, others are refused', () =>
  withOpenDir(program('web', {}), '  socket_owner: root:daemon\n  socket_mode: "0770"\n', async (d) => {
    const web = await waitState(d, 'web', 'RUNNING');
    const daemonGid = idOf('daemon').gid;
    const st = statSync(d.socket);
    assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [0, daemonGid, 0o770]);

    // The user daemon, whose groups include daemon: every command, acting ones included.
    const status = ctlAs(DAEMON_USER, d, 'status');
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^web\s+RUNNING\s+pid \d+/);
    assert.equal(ctlAs(DAEMON_USER, d, 'restart', 'web').code, 0);
    assert.notEqual((await waitState(d, 'web', 'RUNNING')).pid, web.pid);

    // Membership is what counts: nobody with daemon as a supplementary group is let in.
    const member = ctlAs(['--reuid=nobody', '--regid=nogroup', `--groups=${daemonGid}`], d, 'pid', 'web');
    assert.equal(member.code, 0, member.stderr);
    // Without it, refused; and root still controls it.
    assertRefused(ctlAs(NOBODY, d, 'status'), 'nobody');
    assert.equal(d.ctl('status').code, 0);
  }));

test('a daemon that drops to taskmasterd.user nobody is still controlled through a root socket: nobody itself is refused', () =>
  withOpenDir(program('web', {}), '  user: nobody\n', async (d) => {
    await waitState(d, 'web', 'RUNNING');
    assert.equal(statSync(d.socket).uid, 0);
    assert.equal(d.ctl('status').code, 0);
    assertRefused(ctlAs(NOBODY, d, 'status'), 'nobody, the daemon\'s own user');
  }));
