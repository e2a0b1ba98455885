// taskmasterctl without a command reads commands line by line. Here stdin
// is a pipe: no prompt, each command's output in turn, and the exit code of
// the last command at EOF (`quit` exits 0).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { runCtl, TASKMASTERCTL } from './harness';
import { program, waitState, withDaemon } from './lifecycle-helpers';

test('piped commands run in order, each printing its output; quit exits 0', () =>
  withDaemon(program('x', {}), async (d) => {
    const { pid } = await waitState(d, 'x', 'RUNNING');
    const r = await runCtl(['-s', d.socket], 'status\nstop x\nstatus\nquit\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3, r.stdout);
    assert.match(lines[0]!, new RegExp(`^x\\s+RUNNING\\s+pid ${pid}, uptime`));
    assert.equal(lines[1], 'x: stopped');
    assert.match(lines[2]!, /^x\s+STOPPED\s+stopped /);
    assert.doesNotMatch(r.stdout, /taskmaster>/);
    assert.equal((await d.status())[0]!.state, 'STOPPED');
  }));

test('a failing line does not end the shell; at EOF the exit code is the last command’s', () =>
  withDaemon(program('x', {}) + program('y', { autostart: false }), async (d) => {
    await waitState(d, 'x', 'RUNNING');
    const r = await runCtl(['-s', d.socket], 'frobnicate\nstatus nope\n\nstart y\nstatus\n');
    assert.match(r.stderr, /unknown command "frobnicate"/);
    assert.match(r.stderr, /no such process: nope/);
    assert.match(r.stdout, /^y: started$/m);
    assert.match(r.stdout, /^y\s+RUNNING/m);
    assert.equal(r.code, 0, 'the last command, status, found everything RUNNING');

    const last = await runCtl(['-s', d.socket], 'status\nstatus nope\n');
    assert.equal(last.code, 4);
  }));

test('shell lines are split like a shell: quotes group words', () =>
  withDaemon(program('x', { env: { CHILD_STDOUT: 'hi' } }), async (d) => {
    await waitState(d, 'x', 'RUNNING');
    const r = await runCtl(['-s', d.socket], `tail -n 1 "x" 'stdout'\nstatus 'x\n`);
    assert.match(r.stdout, /^hi$/m);
    assert.match(r.stderr, /unterminated ' quote/);
    assert.equal(r.code, 1);
  }));

test('--json in the shell prints one JSON value per command', () =>
  withDaemon(program('x', {}), async (d) => {
    const { pid } = await waitState(d, 'x', 'RUNNING');
    const r = await runCtl(['--json', '-s', d.socket], 'pid x\nstatus nope\n');
    const [pids, failure] = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
    assert.deepEqual(pids, [{ name: 'x', pid }]);
    assert.deepEqual((failure as { error: { code: string } }).error.code, 'ENOPROGRAM');
  }));

test('the shell keeps working when the daemon goes away mid-session, reporting it per command', () =>
  withDaemon(program('x', {}), async (d) => {
    await waitState(d, 'x', 'RUNNING');
    const shell = spawn(TASKMASTERCTL, ['-s', d.socket]);
    let stdout = '';
    let stderr = '';
    shell.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    shell.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = new Promise<number | null>((r) => shell.once('close', r));
    shell.stdin.write('shutdown\n');
    assert.deepEqual(await d.exited, { code: 0, signal: null });
    shell.stdin.end('status\nhelp stop\n');
    assert.equal(await code, 0, 'help, the last command, needs no daemon');
    assert.match(stdout, /^shut down$/m);
    assert.match(stderr, /cannot reach taskmasterd/);
    assert.match(stdout, /^usage: stop \[--with-dependents\] NAME…\|all$/m);
  }));
