// What the readiness edge reaches the OS through, with the daemon's real
// ones as defaults: the shared probes, the notify socket (none unless the
// daemon gives one), /proc for a sender's process group, and the program's
// account for exec probes.
import { AccountCache } from '../config/accounts';
import { probeExec } from '../probes/exec';
import { probeHttp } from '../probes/http';
import { probeTcp } from '../probes/tcp';
import type { ChildEnvs } from '../supervisor/child-env';
import type { NotifyEndpoint } from './notify-socket';
import { processGroupOf } from './process-group';
import type { ReadinessDeps } from './readiness';

export type ReadinessEdges = Partial<Pick<ReadinessDeps, 'probes' | 'notify' | 'groupOf' | 'execContext'>>;

export const REAL_PROBES: ReadinessDeps['probes'] = { tcp: probeTcp, http: probeHttp, exec: probeExec };

/** A daemon (or a test) that opened no notify socket: `ready: notify` programs are told why. */
export const NO_NOTIFY_SOCKET: NotifyEndpoint = {
  open: () => ({ ok: false, why: 'this daemon has no notify socket' }),
  onMessage: () => undefined,
  close: () => undefined,
};

export function readinessEdges(given: ReadinessEdges = {}, envs: ChildEnvs): Omit<ReadinessDeps, 'clock' | 'log' | 'report'> {
  let accounts: AccountCache | null = null;
  return {
    probes: given.probes ?? REAL_PROBES,
    notify: given.notify ?? NO_NOTIFY_SOCKET,
    groupOf: given.groupOf ?? processGroupOf,
    // As the program itself runs: its user, its directory, its environment.
    execContext:
      given.execContext ??
      ((slot) => {
        const p = slot.program;
        const base = { env: envs.of(slot), ...(p.workingdir === null ? {} : { cwd: p.workingdir }) };
        if (p.user === null) return base;
        const found = (accounts ??= new AccountCache()).lookup(p.user);
        return found.ok ? { ...base, uid: found.account.uid, gid: found.account.gid } : found.reason;
      }),
  };
}
