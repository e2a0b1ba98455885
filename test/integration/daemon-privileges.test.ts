// The daemon's own identity: taskmasterd.umask for the files it creates,
// and taskmasterd.user — socket and logs opened as root, then the daemon
// drops to the user and its programs run as that user too.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CHILD_CMD, readText, startDaemon, stateOf, TASKMASTERD, waitFor } from './harness';

function uidLine(pid: number): string {
  return /^Uid:\s+(.*)$/m.exec(readText(`/proc/${pid}/status`))?.[1]?.trim() ?? '';
}

const NOBODY = 65534;

test('taskmasterd.user: the daemon drops to nobody after opening socket and logs; programs run as nobody', async () => {
  assert.equal(process.getuid?.(), 0, 'this test needs root (CI runs as root)');
  const dir = mkdtempSync(join(tmpdir(), 'tm-priv-'));
  chmodSync(dir, 0o755); // nobody must reach its log folder below
  const logfile = join(dir, 'daemon-logs', 'taskmasterd.log');
  const d = await startDaemon(`  web:\n    cmd: ${CHILD_CMD}\n    starttime: 0.2\n`, `  user: nobody\n  umask: "027"\n  logfile: ${logfile}\n`, dir);
  try {
    const web = (await waitFor(async () => {
      const s = await stateOf(d, 'web');
      return s.state === 'RUNNING' ? s : null;
    }, 'web RUNNING'))!;
    assert.equal(uidLine(d.proc.pid!), `${NOBODY}\t${NOBODY}\t${NOBODY}\t${NOBODY}`, 'the daemon runs as nobody');
    assert.equal(uidLine(web.pid!), `${NOBODY}\t${NOBODY}\t${NOBODY}\t${NOBODY}`, 'its program runs as nobody');
    // Opened as root before the drop: the socket stays root's, mode 0700.
    const sock = statSync(d.socket);
    assert.equal(sock.uid, 0);
    assert.equal(sock.mode & 0o777, 0o700);
    // The daemon's umask 027 shaped its log file; the log folder was handed to nobody.
    const logs = join(dir, 'daemon-logs');
    const current = join(logs, 'taskmasterd.1.log');
    await waitFor(() => readText(current).includes('dropped privileges to nobody'), 'the drop in the daemon log');
    assert.equal(statSync(current).mode & 0o777, 0o640);
    assert.equal(statSync(logs).uid, NOBODY);
    assert.equal(statSync(d.logdir).uid, NOBODY, 'childlogdir belongs to the user the daemon drops to');
    // The CLI as root still controls it; the program restarts as nobody.
    assert.equal(d.ctl('restart', 'web').code, 0);
    const again = await stateOf(d, 'web');
    assert.notEqual(again.pid, web.pid);
    assert.equal(uidLine(again.pid!), `${NOBODY}\t${NOBODY}\t${NOBODY}\t${NOBODY}`);
  } finally {
    await d.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('taskmasterd.user refuses programs configured for another user, at config check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tm-priv-'));
  try {
    const config = join(dir, 'c.yaml');
    writeFileSync(config, 'taskmasterd:\n  user: nobody\nprograms:\n  web:\n    cmd: /bin/true\n    user: daemon\n');
    const r = spawnSync(TASKMASTERD, ['--check', '-c', config], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`${config}:4:3: .*"web".*"user".*drops to user "nobody"`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
