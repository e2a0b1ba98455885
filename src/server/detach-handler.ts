// The detach command: each named process leaves supervision and runs on
// (see Children.release). Names and groups as for stop: `all` and `prog:*`
// leave out the members that are not running instead of reporting them.
import type { ActionOutcome } from '../gen/taskmaster/v1/control_pb';
import { outcome } from '../supervisor/waiters';
import type { HandlerOf } from './handler-types';
import { namesGroups, needNames, select } from './selection';

export const DETACH_HANDLER: HandlerOf<'detach'> = (ctl, _identity, req) => {
  needNames(req.names, 'detach');
  const skipNotRunning = namesGroups(ctl, req.names);
  const outcomes: ActionOutcome[] = [];
  for (const slot of select(ctl, req.names)) {
    const reply = ctl.supervisor.command(slot, { type: 'detach' });
    if (reply.ok) outcomes.push(outcome(slot, null));
    else if (!skipNotRunning) outcomes.push(outcome(slot, { code: reply.code, message: reply.message }));
  }
  return { outcomes };
};
