// `taskmasterctl detach` against the real daemon binary: the process leaves
// supervision and runs on through stop all, a reload with a config change,
// the daemon's shutdown and a new daemon on the same state file; its output
// goes on to its log through the drain, with no SIGPIPE and no full pipe.
// The writer is a shell script: sh, unlike node, dies of SIGPIPE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive, type Daemon, readText, startDaemon, waitFor } from './harness';
import { program, waitState } from './lifecycle-helpers';

// Each instance counts in a file of its own ($$): a new instance must not move another's counter.
const WRITER = `#!/bin/sh
i=0
while :; do
  i=$((i+1))
  echo "line $i"
  echo "$i" > "$1/count.$$.tmp" && mv "$1/count.$$.tmp" "$1/count.$$"
  if [ -e "$1/flood" ]; then
    rm "$1/flood"
    head -c 2097152 /dev/zero | tr '\\0' x
    echo
    echo "$i" > "$1/flooded"
  fi
  sleep 0.05
done
`;

function counter(dir: string, pid: number): number {
  const n = Number(readText(join(dir, `count.${pid}`)).trim());
  return Number.isInteger(n) ? n : 0;
}

/** Waits for the writer's counter to move on by `by` from now: it is neither blocked nor dead. */
async function advances(dir: string, pid: number, what: string, by = 3): Promise<void> {
  const from = counter(dir, pid);
  await waitFor(() => counter(dir, pid) >= from + by, `pid ${pid}'s counter to move on from ${from} (${what})`);
  assert.ok(alive(pid), `pid ${pid} alive (${what})`);
}

function size(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** The raw status of `name`: detached_pid is in the schema's JSON, not in --json status's view. */
async function rawStatus(d: Daemon, name: string): Promise<Record<string, unknown>> {
  const r = await d.request({ cmd: 'status', names: [name] });
  const processes = (r.result as { processes: Record<string, unknown>[] }).processes;
  return processes[0]!;
}

function killGroup(pid: number | null): void {
  if (pid === null) return;
  try {
    process.kill(-pid, 'SIGKILL'); // the writer leads its own group: its sleep and tr go too
  } catch {
    // already gone
  }
}

// Both ways the daemon reads a child's pipes: the spawn addon's readers, and
// child_process's (the fallback without the addon, TASKMASTER_SPAWN=node).
for (const spawnWith of ['addon', 'node'] as const) {
  const env = spawnWith === 'node' ? { ...process.env, TASKMASTER_SPAWN: 'node' } : process.env;
  test(`a detached process runs on through stop all, reload, shutdown and a new daemon; its output keeps reaching its log (spawn: ${spawnWith})`, () => detachScenario(env));
}

async function detachScenario(env: NodeJS.ProcessEnv): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tm-detach-'));
  chmodSync(dir, 0o755);
  const script = join(dir, 'writer.sh');
  writeFileSync(script, WRITER, { mode: 0o755 });
  const programs = (extra: Record<string, string | number | boolean>) =>
    program('writer', { cmd: `/bin/sh ${script} ${dir}`, autorestart: true, stopasgroup: true, killasgroup: true, ...extra }) +
    program('idle', { cmd: '/bin/sleep 1000', autostart: false });
  let pid: number | null = null;
  let second: Daemon | null = null;
  const first = await startDaemon(programs({}), '', dir, env);
  const log = join(first.logdir, 'writer.stdout.log');
  try {
    pid = (await waitState(first, 'writer', 'RUNNING')).pid!;
    await advances(dir, pid, 'supervised');
    // The state file names the children a daemon killed with SIGKILL left behind, for the next to stop.
    const stateFile = join(dir, 'taskmasterd.state');
    const listed = (): boolean => readText(stateFile).includes(`"pid":${pid}`);
    await waitFor(listed, `pid ${pid} in the state file while supervised`);

    const detached = first.ctl('detach', 'writer');
    assert.deepEqual([detached.code, detached.stdout.trim()], [0, 'writer: detached'], detached.stderr);
    const s = await rawStatus(first, 'writer');
    assert.deepEqual([s.state, s.description, s.detached_pid, s.pid], ['PROCESS_STATE_STOPPED', `detached, pid ${pid}`, pid, undefined]);
    assert.match(first.ctl('status', 'writer').stdout, new RegExp(`STOPPED +detached, pid ${pid}`));
    await waitFor(() => !listed(), `pid ${pid} out of the state file once detached`);

    // Not running: a name on its own is refused, a group leaves it out.
    const again = first.ctl('detach', 'writer', 'idle');
    assert.equal(again.code, 1);
    assert.equal(again.stdout.trim(), 'writer: ERROR (not running)\nidle: ERROR (not running)');
    assert.deepEqual([first.ctl('detach', 'all').code, first.ctl('detach', 'all').stdout.trim()], [0, '']);

    assert.equal(first.ctl('stop', 'all').code, 0);
    await advances(dir, pid, 'after stop all');
    first.writeConfig(programs({ autostart: false, stoptime: 2 }) + program('other', { cmd: '/bin/sleep 1000', autostart: false }));
    const reload = first.ctl('reload');
    assert.equal(reload.code, 0, reload.stderr);
    await advances(dir, pid, 'after a reload that changed its program');
    assert.equal((await rawStatus(first, 'writer')).state, 'PROCESS_STATE_STOPPED');

    assert.equal(first.ctl('shutdown').code, 0);
    assert.equal((await first.exited).code, 0);
    const logAtExit = size(log);
    await advances(dir, pid, 'after the daemon exited');
    await waitFor(() => size(log) > logAtExit, 'its log to grow after the daemon exited');

    // 2 MiB, far more than a pipe holds: it goes through only if someone reads on.
    writeFileSync(join(dir, 'flood'), '');
    await waitFor(() => readText(join(dir, 'flooded')) !== '', 'the 2 MiB write to finish');
    await advances(dir, pid, 'after the flood');
    await waitFor(() => size(log) >= logAtExit + 2 * 1024 * 1024, 'the flood to reach the log');

    // A new daemon on the same directory reads the state file: the detached pid is not its leftover.
    second = await startDaemon(programs({ autostart: false }), '', dir, env);
    await waitState(second, 'writer', 'STOPPED');
    await advances(dir, pid, 'with a new daemon on the same state file');
    assert.doesNotMatch(second.output(), /left running by a previous taskmasterd/);
  } finally {
    killGroup(pid);
    if (first.proc.exitCode === null && first.proc.signalCode === null) first.proc.kill('SIGTERM');
    await first.exited;
    if (second !== null) await second.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
