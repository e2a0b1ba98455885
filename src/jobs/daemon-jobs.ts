// The JobManager as taskmasterd runs it: its settings from the config, the
// real edges, and a spool directory cleared of an earlier daemon's files.
import { mkdirSync } from 'node:fs';
import { jobsDir } from '../config/daemon-fields';
import type { DaemonSettings } from '../config/types';
import type { Clock, Signaller, Spawner } from '../supervisor/edges';
import type { SupervisorLog } from '../supervisor/log';
import { osJobAccounts } from './job-accounts';
import { JobManager } from './manager';
import type { CgroupEdge } from '../supervisor/cgroup-edge';
import type { LimitRefusal } from '../config/limit-refusal';

export interface JobEdges {
  clock: Pick<Clock, 'setTimer' | 'wallNow'>;
  spawner: Pick<Spawner, 'spawn'>;
  signaller: Signaller;
  cgroups?: CgroupEdge;
  refuseLimit?: LimitRefusal;
}

/** Creates the spool directory (0700: output may be anyone's secrets) if needed; throws when it cannot be used. */
export function openJobManager(settings: DaemonSettings, edges: JobEdges, log: SupervisorLog): JobManager {
  const dir = jobsDir(settings);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const removed = JobManager.removeLeftovers(dir);
  if (removed > 0) log.info({ dir, removed }, `removed the output of ${removed} jobs of an earlier taskmasterd from ${dir}`);
  return new JobManager({
    dir,
    outputMax: settings.job_output_max,
    retentionMs: settings.job_retention * 1000,
    maxRunningPerOwner: settings.job_max_running,
    killGraceMs: settings.job_kill_grace * 1000,
    ...edges,
    accounts: osJobAccounts(),
    daemonEnv: process.env,
    log,
  });
}
