// The job commands: each hands the identity and the request to the daemon's
// jobs (JobsControl), which decides whose jobs the identity sees.
import type { JobCommand } from '../protocol/commands';
import type { HandlerOf } from './handler-types';

export const JOB_HANDLERS: { [C in JobCommand]: HandlerOf<C> } = {
  run: async (ctl, identity, req) => ({ job: await ctl.jobs.run(identity, req) }),
  ps: async (ctl, identity, req) => ({ job: await ctl.jobs.ps(identity, req) }),
  list: async (ctl, identity, req) => ({ jobs: await ctl.jobs.list(identity, req) }),
  kill: async (ctl, identity, req) => ({ job: await ctl.jobs.kill(identity, req) }),
  logs: async (ctl, identity, req, out) => {
    // Pulled: the next piece is read only once the client has taken most of
    // the last, so a slow reader of a large log is paced, not cut off.
    for await (const item of ctl.jobs.logs(identity, req, out.closed)) {
      await out.drained();
      if (out.closed.aborted) return;
      out.send(item);
    }
  },
};
