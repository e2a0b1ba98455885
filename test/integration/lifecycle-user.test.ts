// `user:` — the daemon runs as root (here and in CI) and the child runs as
// the named account, with that account's primary and supplementary groups.
// Not root is a failure, not a skip: these tests must run in CI.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { waitFor } from './harness';
import { idOf, procStatus, program, raw, waitState, withDaemon, withScratch } from './lifecycle-helpers';

function requireRoot(): void {
  assert.equal(process.getuid?.(), 0, 'the user: tests need root (CI runs them as root); run the suite as root');
}

/** Checks the running process `pid` has exactly the ids `id` reports for `user`. */
function assertRunsAs(pid: number, user: string): void {
  const want = idOf(user);
  assert.deepEqual(procStatus(pid, 'Uid'), Array(4).fill(String(want.uid)), 'real, effective, saved, fs uid');
  assert.deepEqual(procStatus(pid, 'Gid'), Array(4).fill(String(want.gid)), 'real, effective, saved, fs gid');
  const groups = procStatus(pid, 'Groups').map(Number).sort((a, b) => a - b);
  assert.deepEqual(groups, want.groups, `supplementary groups of ${user} (id -G)`);
}

/** The tracked pid is the program itself (setpriv exec'd it), not a wrapper. */
function assertIsChildFixture(pid: number): void {
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  assert.ok(argv.some((a) => a.endsWith('test/fixtures/child.js')), `pid ${pid} runs ${argv.join(' ')}`);
}

test('user: nobody — the child runs with nobody\'s uid and gid in all four slots', () =>
  withDaemon(program('p', { user: 'nobody' }), async (d) => {
    requireRoot();
    const { pid } = await waitState(d, 'p', 'RUNNING');
    assertIsChildFixture(pid!);
    assertRunsAs(pid!, 'nobody');
  }));

test('user: daemon — the child gets exactly the groups `id -G daemon` lists, not root\'s', () =>
  withDaemon(program('p', { user: 'daemon' }), async (d) => {
    requireRoot();
    const { pid } = await waitState(d, 'p', 'RUNNING');
    assertIsChildFixture(pid!);
    assertRunsAs(pid!, 'daemon');
    if (!idOf('daemon').groups.includes(0)) assert.ok(!procStatus(pid!, 'Groups').includes('0'), 'root group dropped');
  }));

/** The account with the most groups (supplementary ones included): postgres here, daemon at worst. */
function accountWithMostGroups(): string {
  const users = execFileSync('getent', ['passwd'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(':')[0])
    .filter((u): u is string => !!u && u !== 'root');
  let best = 'daemon';
  for (const u of users) if (idOf(u).groups.length > idOf(best).groups.length) best = u;
  return best;
}

test('user with supplementary groups: the child gets every group `id -G` lists for it', () => {
  const user = accountWithMostGroups();
  return withDaemon(program('p', { user }), async (d) => {
    requireRoot();
    const { pid } = await waitState(d, 'p', 'RUNNING');
    assertRunsAs(pid!, user);
  });
});

test('user given as a numeric uid (65534) runs as that account', () =>
  withDaemon(program('p', { user: raw('65534') }), async (d) => {
    requireRoot();
    const { pid } = await waitState(d, 'p', 'RUNNING');
    assert.deepEqual(procStatus(pid!, 'Uid'), Array(4).fill('65534'));
  }));

test('files a child running as nobody creates are owned by nobody', () =>
  withScratch(async (dir) => {
    requireRoot();
    const file = join(dir, 'owned');
    await withDaemon(program('p', { user: 'nobody', env: { CHILD_TOUCH: file } }), async (d) => {
      await waitState(d, 'p', 'RUNNING');
      const st = (await waitFor(() => statSync(file, { throwIfNoEntry: false }), 'the child to create its file'))!;
      const want = idOf('nobody');
      assert.equal(st.uid, want.uid);
      assert.equal(st.gid, want.gid);
    });
  }));
