// What the child is given: umask, working directory, environment.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { waitFor } from './harness';
import { program, raw, readJson, waitState, withDaemon, withScratch } from './lifecycle-helpers';

interface ChildInfo {
  pid: number;
  cwd: string;
  env: Record<string, string>;
}

/** The environment a process was started with. */
function environOf(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

const modeOf = (path: string): number => statSync(path).mode & 0o777;

for (const [umask, mode] of [['077', 0o600], ['022', 0o644], ['027', 0o640]] as const) {
  test(`umask ${umask}: the file the child creates has mode 0${mode.toString(8)}`, () =>
    withScratch(async (dir) => {
      const file = join(dir, 'touched');
      await withDaemon(program('p', { umask: raw(umask), env: { CHILD_TOUCH: file } }), async (d) => {
        await waitState(d, 'p', 'RUNNING');
        await waitFor(() => statSync(file, { throwIfNoEntry: false }), 'the child to create its file');
        assert.equal(modeOf(file).toString(8), mode.toString(8));
      });
    }));
}

test("a program without umask gets the daemon's, not the umask of a program spawned before it", () =>
  withScratch(async (dir) => {
    const strict = join(dir, 'strict');
    const plain = join(dir, 'plain');
    // priority makes the umask 077 program spawn first.
    const programs =
      program('strict', { umask: raw('077'), priority: 1, env: { CHILD_TOUCH: strict } }) +
      program('plain', { priority: 2, env: { CHILD_TOUCH: plain } });
    await withDaemon(programs, async (d) => {
      await waitState(d, 'plain', 'RUNNING');
      // Each child creates its file once it runs: wait for both, in whichever order they come.
      await waitFor(() => statSync(plain, { throwIfNoEntry: false }), "plain's child to create its file");
      await waitFor(() => statSync(strict, { throwIfNoEntry: false }), "strict's child to create its file");
      const daemonUmask = process.umask(); // the daemon inherited the test runner's
      assert.equal(modeOf(plain).toString(8), (0o666 & ~daemonUmask).toString(8));
      assert.equal(modeOf(strict).toString(8), '600');
    });
  }));

test("workingdir is the child's cwd", () =>
  withScratch(async (dir) => {
    const work = join(dir, 'work dir');
    mkdirSync(work);
    const info = join(dir, 'info.json');
    await withDaemon(program('p', { workingdir: work, env: { CHILD_INFO_FILE: info } }), async (d) => {
      await waitState(d, 'p', 'RUNNING');
      const got = await waitFor(() => readJson<ChildInfo>(info), 'child info');
      assert.equal(got!.cwd, realpathSync(work));
    });
  }));

test('env: values written as YAML numbers and booleans reach the child as the text written ("42", "on", "007")', () =>
  withScratch(async (dir) => {
    const info = join(dir, 'info.json');
    const env = { CHILD_INFO_FILE: info, ANSWER: raw('42'), FLAG: raw('on'), CODE: raw('007'), EMPTY: raw('""') };
    await withDaemon(program('p', { env }), async (d) => {
      await waitState(d, 'p', 'RUNNING');
      const got = (await waitFor(() => readJson<ChildInfo>(info), 'child info'))!;
      assert.equal(got.env.ANSWER, '42');
      assert.equal(got.env.FLAG, 'on');
      assert.equal(got.env.CODE, '007');
      assert.equal(got.env.EMPTY, '');
    });
  }));

test('env: TASKMASTER_PROCESS_NAME and TASKMASTER_PROGRAM_NAME name each instance and its program', () =>
  withDaemon(program('web', { numprocs: 2 }), async (d) => {
    for (const name of ['web:0', 'web:1']) {
      const { pid } = await waitState(d, name, 'RUNNING');
      const env = environOf(pid!);
      assert.equal(env.TASKMASTER_PROCESS_NAME, name);
      assert.equal(env.TASKMASTER_PROGRAM_NAME, 'web');
    }
  }));

test("env: the daemon's own environment is inherited, and program env overrides it", () =>
  withScratch(async (dir) => {
    const info = join(dir, 'info.json');
    process.env.TM_LC_INHERITED = 'from-the-daemon';
    process.env.TM_LC_OVERRIDDEN = 'from-the-daemon';
    try {
      const env = { CHILD_INFO_FILE: info, TM_LC_OVERRIDDEN: 'from-the-program' };
      await withDaemon(program('p', { env }), async (d) => {
        await waitState(d, 'p', 'RUNNING');
        const got = (await waitFor(() => readJson<ChildInfo>(info), 'child info'))!;
        assert.equal(got.env.TM_LC_INHERITED, 'from-the-daemon');
        assert.equal(got.env.TM_LC_OVERRIDDEN, 'from-the-program');
        assert.equal(got.env.PATH, process.env.PATH);
      });
    } finally {
      delete process.env.TM_LC_INHERITED;
      delete process.env.TM_LC_OVERRIDDEN;
    }
  }));
