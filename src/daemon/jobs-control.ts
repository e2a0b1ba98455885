// The job commands as the server calls them (JobsControl), answered by the
// JobManager: the caller's identity becomes the job owner it acts as.
import type { Identity } from '../authz/identity';
import type { JobManager, Owner } from '../jobs/manager';
import type { JobsControl } from '../server/control';

function ownerOf(identity: Identity): Owner {
  return { name: identity.name, runAs: identity.jobs?.runAs ?? null, admin: identity.admin };
}

export function jobsControl(jobs: JobManager): JobsControl {
  return {
    run: (identity, request) => jobs.run(ownerOf(identity), request),
    ps: (identity, request) => jobs.get(ownerOf(identity), request.jobId),
    list: (identity) => jobs.list(ownerOf(identity)),
    kill: (identity, request) => jobs.kill(ownerOf(identity), request.jobId, request.signal),
    logs: (identity, request, signal) => jobs.output(ownerOf(identity), request.jobId, request.follow, signal),
    counts: () => jobs.counts(),
  };
}
