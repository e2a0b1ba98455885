// Jobs in the cgroup mode, on the real kernel (a cgroup made in this host's
// controller-less v2 hierarchy, as cgroups-mode.test.ts does for programs):
// each job runs in jobs/ID from its start, and when its process ends what it
// left — a `setsid` grandchild too — is killed and the cgroup removed.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { osCgroupFs } from '../../src/cgroups/cgroup-fs';
import { CgroupTree } from '../../src/cgroups/tree';
import { cgroupEdge } from '../../src/supervisor/cgroup-edge';
import { waitFor } from './harness';
import { alive, ended, LOCAL, outputOf, request, withRealJobs } from './jobs-helpers';

function v2Mount(): string | null {
  const line = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => / - cgroup2 /.test(l));
  return line === undefined ? null : line.split(' ')[4]!;
}
const mount = v2Mount();
const skip = process.getuid?.() !== 0 ? 'needs root to make a cgroup' : mount === null ? 'no cgroup v2 hierarchy is mounted here' : undefined;

test('a job runs in jobs/ID; its setsid grandchild is killed when it ends, and the cgroup removed', { skip }, async () => {
  const base = join(mount!, `taskmaster-jobs-it-${process.pid}`);
  // Only jobs/: this test process is not moved into a daemon/ leaf.
  osCgroupFs.mkdir(join(base, 'jobs'));
  const errors: string[] = [];
  const tree = new CgroupTree(base, [], osCgroupFs, (pid) => process.kill(pid, 'SIGKILL'));
  try {
    await withRealJobs(async ({ jobs }) => {
      const job = jobs.run(LOCAL, request('/bin/sh', ['-c', 'setsid /bin/sleep 1000 & echo $!; cat /proc/self/cgroup']));
      const end = await ended(jobs, LOCAL, job.id);
      assert.equal(end.exitCode, 0);
      const lines = (await outputOf(jobs, LOCAL, job.id, false)).stdout.toString().trim().split('\n');
      const grandchild = Number(lines[0]);
      assert.equal(lines.find((l) => l.startsWith('0::')), `0::${base.slice(mount!.length)}/jobs/${job.id}`);
      await waitFor(() => !alive(grandchild), 'the setsid grandchild to be gone with the job');
      await waitFor(() => !existsSync(join(base, 'jobs', job.id)), "the job's cgroup to be removed");
    }, { cgroups: cgroupEdge(tree, (_dir, message) => errors.push(message)) });
    assert.deepEqual(errors, []);
  } finally {
    for (const dir of tree.leftovers()) {
      tree.killAll(dir);
      await waitFor(() => tree.remove(dir), `${dir} to be removable`);
    }
    rmdirSync(join(base, 'jobs'));
    rmdirSync(base);
  }
});
