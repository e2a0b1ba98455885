// What the readiness edge reaches the OS through besides the shared probes,
// with the daemon's real ones as defaults: the notify socket (none unless
// the daemon gives one) and /proc for a sender's process group.
import type { NotifyEndpoint } from '../readiness/notify-socket';
import { processGroupOf } from '../readiness/process-group';
import type { ReadinessDeps } from './readiness-driver';

export type ReadinessEdges = Partial<Pick<ReadinessDeps, 'notify' | 'groupOf'>>;

/** A daemon (or a test) that opened no notify socket: `ready: notify` programs are told why. */
export const NO_NOTIFY_SOCKET: NotifyEndpoint = {
  open: () => ({ ok: false, why: 'this daemon has no notify socket' }),
  onMessage: () => undefined,
  close: () => undefined,
};

export function readinessEdges(given: ReadinessEdges = {}): Pick<ReadinessDeps, 'notify' | 'groupOf'> {
  return { notify: given.notify ?? NO_NOTIFY_SOCKET, groupOf: given.groupOf ?? processGroupOf };
}
