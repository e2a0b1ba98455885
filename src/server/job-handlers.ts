// The job commands: each hands the identity and the request to the daemon's
// jobs (JobsControl), which decides whose jobs the identity sees. A daemon
// without jobs answers ENOJOBS.
import type { JobCommand } from '../protocol/commands';
import { TaskmasterError } from '../protocol/errors';
import type { DaemonControl, JobsControl } from './control';
import type { HandlerOf } from './handler-types';

function jobsOf(ctl: DaemonControl): JobsControl {
  if (ctl.jobs === null) throw new TaskmasterError('ENOJOBS', 'jobs are not enabled on this daemon');
  return ctl.jobs;
}

export const JOB_HANDLERS: { [C in JobCommand]: HandlerOf<C> } = {
  run: async (ctl, identity, req) => ({ job: await jobsOf(ctl).run(identity, req) }),
  ps: async (ctl, identity, req) => ({ job: await jobsOf(ctl).ps(identity, req) }),
  list: async (ctl, identity, req) => ({ jobs: await jobsOf(ctl).list(identity, req) }),
  kill: async (ctl, identity, req) => ({ job: await jobsOf(ctl).kill(identity, req) }),
  logs: async (ctl, identity, req, out) => {
    // Pulled: the next piece is read only once the client has taken most of
    // the last, so a slow reader of a large log is paced, not cut off.
    for await (const item of jobsOf(ctl).logs(identity, req, out.closed)) {
      await out.drained();
      if (out.closed.aborted) return;
      out.send(item);
    }
  },
};
