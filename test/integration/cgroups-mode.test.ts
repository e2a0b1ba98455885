// The daemon's cgroup mode against the real kernel, on a host whose cgroup
// v2 hierarchy has no controllers: TASKMASTER_CGROUP_TEST_BASE gives the
// daemon a cgroup of its own there (limits stay refused: no controller), and
// what the kernel does is real — the child created in programs/NAME:N, a
// `setsid` grandchild stopped with it, the cgroup removed, and what a daemon
// killed with SIGKILL left killed by the next one. Limits are the VM test's.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { alive, startDaemon, waitFor } from './harness';
import { program, waitState } from './lifecycle-helpers';
import { rmdirWhenEmpty } from './cgroup-helpers';

function v2Mount(): string | null {
  const line = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => / - cgroup2 /.test(l));
  return line === undefined ? null : line.split(' ')[4]!;
}
const mount = v2Mount();
const skip = process.getuid?.() !== 0 ? 'needs root to make a cgroup' : mount === null ? 'no cgroup v2 hierarchy is mounted here' : undefined;

/** The cgroup v2 path of `pid`, as /proc/PID/cgroup's "0::" line says. */
function cgroupOf(pid: number): string {
  const line = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => l.startsWith('0::'));
  return line?.slice(3) ?? '';
}

/** A program whose main process starts a grandchild in a session of its own, as a daemonizing program does. */
function daemonizing(name: string, pidFile: string): string {
  return program(name, { cmd: `/bin/sh -c 'setsid /bin/sleep 1000 & echo $! > ${pidFile}; exec /bin/sleep 1000'`, stoptime: 1 });
}

async function readPidWhenWritten(file: string): Promise<number> {
  const text = await waitFor(() => {
    const written = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
    return /^\d+$/.test(written) ? written : null;
  }, `a pid in ${file}`);
  return Number(text);
}

/** Kills and removes whatever a failed test left under `dir`, deepest first. */
async function removeTree(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) await removeTree(join(dir, e.name));
  try {
    writeFileSync(join(dir, 'cgroup.kill'), '1');
  } catch {
    // a kernel before 5.14: nothing was left on a passing run anyway
  }
  await rmdirWhenEmpty(dir);
}

async function withBase(body: (base: string, env: NodeJS.ProcessEnv, scratch: string) => Promise<void>): Promise<void> {
  const base = join(mount!, `taskmaster-it-${process.pid}`);
  const scratch = mkdtempSync(join(tmpdir(), 'tm-cgm-'));
  try {
    await body(base, { ...process.env, TASKMASTER_CGROUP_TEST_BASE: base }, scratch);
  } finally {
    await removeTree(base);
    rmSync(scratch, { recursive: true, force: true });
  }
}

test('each instance in its own cgroup; stop reaches a setsid grandchild; the cgroup is removed', { skip }, () =>
  withBase(async (base, env, scratch) => {
    const gFile = join(scratch, 'grandchild.pid');
    const d = await startDaemon(daemonizing('web', gFile), '', undefined, env);
    try {
      await waitState(d, 'web', 'RUNNING');
      const main = (await d.status()).find((s) => s.name === 'web')!.pid!;
      const grandchild = await readPidWhenWritten(gFile);
      const rel = base.slice(mount!.length);
      assert.match(d.output(), new RegExp(`cgroup v2: each process in its own cgroup under ${base}`));
      assert.equal(cgroupOf(d.proc.pid!), `${rel}/daemon`, 'the daemon in its leaf');
      assert.equal(cgroupOf(main), `${rel}/programs/web:0`);
      assert.equal(cgroupOf(grandchild), `${rel}/programs/web:0`);
      const session = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[3]);
      assert.equal(session(grandchild), grandchild, 'the grandchild left the program\'s session and group');
      assert.equal(d.ctl('stop', 'web').code, 0);
      await waitFor(() => !alive(grandchild), 'the setsid grandchild to be gone');
      assert.equal(alive(main), false);
      await waitFor(() => !existsSync(join(base, 'programs', 'web:0')), 'the instance\'s cgroup to be removed');
    } finally {
      await d.stop();
    }
  }));

test('a start right after a stop takes the same cgroup: what the last run left is killed, the new child lives', { skip }, () =>
  withBase(async (base, env, scratch) => {
    const gFile = join(scratch, 'grandchild.pid');
    const d = await startDaemon(daemonizing('web', gFile), '', undefined, env);
    try {
      await waitState(d, 'web', 'RUNNING');
      const grandchild = await readPidWhenWritten(gFile);
      rmSync(gFile);
      // Stopped and started before stoptime ends: the grandchild is still in web:0.
      assert.equal(d.ctl('restart', 'web').code, 0);
      await waitState(d, 'web', 'RUNNING');
      const next = (await d.status()).find((s) => s.name === 'web')!.pid!;
      await waitFor(() => !alive(grandchild), 'the last run\'s grandchild to be gone');
      assert.ok(alive(next), 'the new child is not killed with what was left');
      assert.equal(cgroupOf(next), `${base.slice(mount!.length)}/programs/web:0`);
      assert.equal(d.ctl('stop', 'web').code, 0);
    } finally {
      await d.stop();
    }
  }));

test('what a daemon killed with SIGKILL left in its cgroups is killed and removed by the next', { skip }, () =>
  withBase(async (base, env, scratch) => {
    const gFile = join(scratch, 'grandchild.pid');
    const first = await startDaemon(daemonizing('web', gFile), '', undefined, env);
    let main: number;
    let grandchild: number;
    try {
      await waitState(first, 'web', 'RUNNING');
      main = (await first.status()).find((s) => s.name === 'web')!.pid!;
      grandchild = await readPidWhenWritten(gFile);
      first.proc.kill('SIGKILL');
      await first.exited;
    } finally {
      await first.stop();
    }
    assert.ok(alive(main) && alive(grandchild), 'a SIGKILLed daemon leaves its programs running');
    // Another config and state file: only the cgroups tell the next daemon what was left.
    const next = await startDaemon(program('other', { autostart: false }), '', undefined, env);
    try {
      await waitFor(() => !alive(main) && !alive(grandchild), 'the leftovers to be killed');
      await waitFor(() => !existsSync(join(base, 'programs', 'web:0')), 'the leftover cgroup to be removed');
      // The warning is written after the clean-up; it reaches us through a pipe, maybe after we saw the clean-up done.
      const said = new RegExp(`killed what an earlier taskmasterd left in ${base}/programs/web:0`);
      await waitFor(() => said.test(next.output()), 'the daemon to say what it killed');
    } finally {
      await next.stop();
    }
  }));

test('a daemon that drops to taskmasterd.user still places, stops and removes its programs\' cgroups', { skip }, () =>
  withBase(async (base, env, scratch) => {
    chmodSync(scratch, 0o777); // nobody's program writes its grandchild's pid here
    const dir = mkdtempSync(join(tmpdir(), 'tm-cgm-user-'));
    chmodSync(dir, 0o755); // nobody reaches its log folder below
    const gFile = join(scratch, 'grandchild.pid');
    const d = await startDaemon(daemonizing('web', gFile), '  user: nobody\n', dir, env);
    try {
      await waitState(d, 'web', 'RUNNING');
      const main = (await d.status()).find((s) => s.name === 'web')!.pid!;
      const grandchild = await readPidWhenWritten(gFile);
      assert.match(d.output(), /dropped privileges to nobody/);
      assert.equal(cgroupOf(main), `${base.slice(mount!.length)}/programs/web:0`);
      assert.equal(d.ctl('stop', 'web').code, 0);
      await waitFor(() => !alive(grandchild), 'the setsid grandchild to be gone');
      await waitFor(() => !existsSync(join(base, 'programs', 'web:0')), 'the instance\'s cgroup to be removed');
    } finally {
      await d.stop();
    }
  }));

test('a detached process leaves its instance\'s cgroup: the next start of the program does not kill it', { skip }, () =>
  withBase(async (base, env) => {
    const d = await startDaemon(program('web', { cmd: '/bin/sleep 1000' }), '', undefined, env);
    let detached = 0;
    try {
      await waitState(d, 'web', 'RUNNING');
      detached = (await d.status()).find((s) => s.name === 'web')!.pid!;
      const r = d.ctl('detach', 'web');
      assert.equal(r.code, 0, r.stderr);
      const rel = base.slice(mount!.length);
      assert.equal(cgroupOf(detached), `${rel}/detached/web-${detached}`);
      const started = d.ctl('start', 'web');
      assert.equal(started.code, 0, `${started.stdout}${started.stderr}${d.output()}`);
      await waitState(d, 'web', 'RUNNING');
      const next = (await d.status()).find((s) => s.name === 'web')!.pid!;
      assert.equal(cgroupOf(next), `${rel}/programs/web:0`);
      assert.ok(alive(detached), 'the detached process runs on');
    } finally {
      await d.stop();
      if (detached !== 0 && alive(detached)) process.kill(detached, 'SIGKILL');
    }
  }));

/** The kernel's CPU count for a cgroup, in seconds (cpu.stat is there without the cpu controller). */
function cgroupCpuSeconds(dir: string): number {
  const line = readFileSync(join(dir, 'cpu.stat'), 'utf8').split('\n').find((l) => l.startsWith('usage_usec '));
  return Number(line!.split(' ')[1]) / 1e6;
}

test('status -l counts the CPU of a setsid grandchild, from the cgroup: what the process group cannot see', { skip }, () =>
  withBase(async (base, env) => {
    // The main process sleeps; only the grandchild, out of its group, burns CPU.
    const d = await startDaemon(program('web', { cmd: `/bin/sh -c 'setsid /bin/sh -c "while :; do :; done" & exec /bin/sleep 1000'` }), '', undefined, env);
    try {
      await waitState(d, 'web', 'RUNNING');
      const dir = join(base, 'programs', 'web:0');
      const cpuOf = async (): Promise<number> => {
        const r = await d.ctlAsync('--json', 'status', '-l', 'web');
        const [row] = JSON.parse(r.stdout) as { stats: { cpu_seconds: number } | null }[];
        return row?.stats?.cpu_seconds ?? 0;
      };
      await waitFor(async () => (await cpuOf()) >= 0.3, 'the grandchild\'s CPU in the status');
      const before = cgroupCpuSeconds(dir);
      const shown = await cpuOf();
      const after = cgroupCpuSeconds(dir);
      assert.ok(before <= shown && shown <= after, `${before} <= ${shown} <= ${after}: the figure is the cgroup's`);
      assert.equal(d.ctl('stop', 'web').code, 0);
      await waitFor(() => !existsSync(dir), 'the cgroup to be removed, the busy grandchild with it');
    } finally {
      await d.stop();
    }
  }));
