// The logUrl command (`taskmasterctl http`): a signed link from which one
// log of one process can be downloaded through the gateway, by whoever holds
// it, until it expires. The gateway checks the link and fetches the bytes as
// a `tail` with `whole`, as the identity the link was made for: the daemon
// checks that identity's read right again at the download.
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { selectProcesses } from '../core/names';
import { shown, TaskmasterError } from '../protocol/errors';
import { expiryOf, MAX_LINK_SECONDS, signLink } from '../protocol/log-link';
import type { Slot } from '../supervisor/slot';
import type { DaemonControl } from './control';
import type { HandlerOf } from './handler-types';
import { liveFileOf, streamName } from './whole-log';

/** The one process NAME stands for: a link is for one file. */
function oneProcess(ctl: DaemonControl, name: string): Slot {
  const all = ctl.supervisor.list();
  const found = selectProcesses([name], all.map((s) => ({ name: s.name, program: s.program.name })));
  if (!found.ok) throw new TaskmasterError('ENOPROGRAM', `no such process: ${shown(name)}`);
  if (found.names.length !== 1) throw new TaskmasterError('ENOPROGRAM', `${shown(name)} names ${found.names.length} processes (${found.names.join(', ')}); name one`);
  return ctl.supervisor.get(found.names[0]!) as Slot;
}

export const LOG_URL_HANDLER: HandlerOf<'logUrl'> = (ctl, identity, req) => {
  if (req.expiresSeconds > MAX_LINK_SECONDS) {
    throw new TaskmasterError('EBADREQUEST', `a log link lives at most ${MAX_LINK_SECONDS} s; ${req.expiresSeconds} s asked`);
  }
  const links = ctl.logLinks();
  if (links === null) {
    throw new TaskmasterError('ENOREMOTE', 'log links are served by the remote API gateway: configure taskmasterd.remote (listen, cert, key, client_ca) and restart taskmasterd');
  }
  const slot = oneProcess(ctl, req.name);
  const stream = streamName(req.stream);
  liveFileOf(slot, stream); // ENOLOG now rather than a link that could only fail
  if (links.origin === null) throw new TaskmasterError('ENOREMOTE', 'the remote API gateway is not listening yet; try again in a moment');
  const exp = expiryOf(ctl.wallNow(), req.expiresSeconds);
  const path = signLink(links.key, { name: slot.name, stream, as: identity.name, exp });
  return { url: `${links.origin}${path}`, expiresAt: timestampFromMs(exp * 1000) };
};
