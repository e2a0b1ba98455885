// Cgroups made by a test: removed once the kernel lets them go, which is
// only when their last process has been reaped.
import { rmdirSync } from 'node:fs';
import { waitFor } from './harness';

/** Removes the empty cgroup `dir`, retrying while processes remain in it. */
export async function rmdirWhenEmpty(dir: string): Promise<void> {
  await waitFor(() => {
    try {
      rmdirSync(dir);
      return true;
    } catch {
      return false;
    }
  }, `${dir} to be removable`);
}
