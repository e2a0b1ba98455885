// tail and maintail through the real CLI: the last lines of a process's
// output, following it live, and the daemon's own log.
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { test } from 'node:test';
import { type Daemon, TASKMASTERCTL, waitFor } from './harness';
import { program, waitState, withDaemon } from './lifecycle-helpers';

interface Follower {
  proc: ChildProcessWithoutNullStreams;
  stdout: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `taskmasterctl ARGS…` left running, its output collected. */
function follow(d: Daemon, ...args: string[]): Follower {
  const proc = spawn(TASKMASTERCTL, ['-s', d.socket, ...args]);
  let out = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    proc.once('exit', (code, signal) => r({ code, signal })),
  );
  return { proc, stdout: () => out, exited };
}

const count = (text: string, word: string): number => text.split(word).length - 1;

test('tail -n 2 NAME prints the last two lines of its stdout', () =>
  withDaemon(program('p', { env: { CHILD_LINES: '5' } }), async (d) => {
    await waitFor(() => d.ctl('tail', 'p').stdout.includes('line 4'), 'all five lines in the log');
    const r = d.ctl('tail', '-n', '2', 'p');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'line 3\nline 4\n');
    assert.equal(d.ctl('tail', '-n2', 'p').stdout, 'line 3\nline 4\n');
  }));

test('tail NAME stderr prints its stderr, and stdout does not mix it in', () =>
  withDaemon(program('p', { env: { CHILD_STDOUT: 'to-out', CHILD_STDERR: 'to-err' } }), async (d) => {
    await waitFor(() => d.ctl('tail', 'p', 'stderr').stdout.includes('to-err'), 'stderr in its log');
    assert.equal(d.ctl('tail', 'p', 'stderr').stdout, 'to-err\n');
    assert.equal(d.ctl('tail', 'p').stdout, 'to-out\n');
    const bad = d.ctl('tail', 'p', 'stdin');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /stdout or stderr/);
  }));

test('tail -f streams lines written after it started, across a restart of the process', () =>
  withDaemon(program('p', { env: { CHILD_STDOUT: 'hello' } }), async (d) => {
    await waitState(d, 'p', 'RUNNING');
    const f = follow(d, 'tail', '-f', 'p');
    try {
      await waitFor(() => count(f.stdout(), 'hello') === 1, 'the existing line');
      // The restarted child writes its line again, after tail -f began.
      assert.equal(d.ctl('restart', 'p').code, 0);
      await waitFor(() => count(f.stdout(), 'hello') === 2, 'the new line on the follower');
      f.proc.kill('SIGINT'); // Ctrl-C is the normal way out of tail -f
      assert.deepEqual(await f.exited, { code: 0, signal: null });
    } finally {
      f.proc.kill('SIGKILL');
    }
  }));

test('a tail -f client that vanishes leaves the daemon serving others, and its later output logged', () =>
  withDaemon(program('p', { env: { CHILD_STDOUT: 'hello' } }) + program('q', {}), async (d) => {
    const first = await waitState(d, 'p', 'RUNNING');
    const f = follow(d, 'tail', '-f', 'p');
    await waitFor(() => f.stdout().includes('hello'), 'the follower to start');
    f.proc.kill('SIGKILL');
    await f.exited;
    // Output arrives for a follower whose socket is gone.
    assert.equal(d.ctl('restart', 'p').code, 0);
    await waitFor(() => count(d.ctl('tail', 'p').stdout, 'hello') === 2, 'the restarted child’s line');
    const rows = await d.status();
    assert.deepEqual(rows.map((s) => `${s.name}=${s.state}`), ['p=RUNNING', 'q=RUNNING']);
    assert.notEqual(rows[0]!.pid, first.pid);
    assert.equal(d.proc.exitCode, null);
  }));

test('maintail -n shows the daemon log lines, such as the spawned line of a process', () =>
  withDaemon(program('p', {}), async (d) => {
    const { pid } = await waitState(d, 'p', 'RUNNING');
    const r = d.ctl('maintail', '-n', '500');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`spawned: p with pid ${pid}`));
    const one = d.ctl('maintail', '-n', '1');
    assert.equal(one.stdout.trimEnd().split('\n').length, 1);
  }));

test('maintail -f streams the daemon log lines of what happens after it started', () =>
  withDaemon(program('p', {}), async (d) => {
    await waitState(d, 'p', 'RUNNING');
    const f = follow(d, 'maintail', '-f', '-n', '1');
    try {
      // The daemon registers the follower before it answers with the last line.
      await waitFor(() => f.stdout().includes('\n'), 'the follower to get the last line');
      assert.equal(d.ctl('stop', 'p').code, 0);
      await waitFor(() => /p: RUNNING → STOPPING/.test(f.stdout()), 'the stop in the followed log');
    } finally {
      f.proc.kill('SIGKILL');
    }
  }));
