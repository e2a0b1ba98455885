// How a process looks in `status`: the schema's ProcessStatus, with a
// one-line description in the manner of supervisorctl.
import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { describeExit } from '../core/record';
import { pidOf, type StateKind } from '../core/states';
import { ProcessState, type ProcessStats, type ProcessStatus, ProcessStatusSchema } from '../gen/taskmaster/v1/control_pb';
import type { Slot } from './slot';

/** The core's states as the schema numbers them. */
export const PROCESS_STATE: Readonly<Record<StateKind, ProcessState>> = {
  STOPPED: ProcessState.STOPPED,
  STARTING: ProcessState.STARTING,
  RUNNING: ProcessState.RUNNING,
  BACKOFF: ProcessState.BACKOFF,
  STOPPING: ProcessState.STOPPING,
  EXITED: ProcessState.EXITED,
  FATAL: ProcessState.FATAL,
};

/** `stats`: the slot's resource use, when the caller sampled it (status -l, watch). */
export function statusOf(slot: Slot, now: number, stats?: ProcessStats): ProcessStatus {
  const { state, lastExit } = slot.rec;
  const pid = pidOf(state);
  const uptime = 'spawnedAt' in state && pid !== null ? Math.max(0, (now - state.spawnedAt) / 1000) : null;
  return create(ProcessStatusSchema, {
    name: slot.name,
    program: slot.program.name,
    state: PROCESS_STATE[state.kind],
    pid: pid ?? undefined,
    exitcode: lastExit?.code ?? undefined,
    exitsignal: lastExit?.signal ?? undefined,
    // Whole seconds (the schema's int32); the description shows the same.
    uptimeS: uptime === null ? undefined : Math.floor(uptime),
    detachedPid: state.kind === 'STOPPED' ? state.detachedPid : undefined,
    description: describe(slot, pid, uptime, now),
    restarts: Math.max(0, slot.spawns - 1),
    exitedAt: slot.exitedWallAt === null ? undefined : timestampFromMs(slot.exitedWallAt),
    stats,
  });
}

function describe(slot: Slot, pid: number | null, uptime: number | null, now: number): string {
  const { state, lastExit, spawnError } = slot.rec;
  const at = (): string => clockTime(slot.wallChangedAt);
  // Held back by depends_on (STOPPED, EXITED or FATAL until it starts): what it waits for says more than how it last ended.
  if (slot.waitingFor !== null) return slot.waitingFor;
  switch (state.kind) {
    case 'RUNNING':
      return `pid ${pid}, uptime ${formatUptime(uptime ?? 0)}`;
    case 'STARTING':
      return pid === null ? 'spawning' : `pid ${pid}, starting`;
    case 'STOPPING':
      return pid === null ? 'stopping' : `pid ${pid}, stopping`;
    case 'BACKOFF':
      return `${spawnError ?? 'start failed'}; retry ${slot.rec.backoff} of ${slot.policy.startretries}`;
    case 'FATAL':
      return spawnError ?? 'could not be started';
    case 'EXITED': {
      if (lastExit === null) return at();
      const pending = state.restartAt === null ? '' : `; restart in ${Math.max(0, (state.restartAt - now) / 1000).toFixed(1)}s`;
      return `${describeExit(lastExit)}${lastExit.expected ? '' : ' (not expected)'}, ${at()}${pending}`;
    }
    case 'STOPPED':
      if (state.detachedPid !== undefined) {
        const where = slot.detachedWhere?.pid === state.detachedPid ? ` (${slot.detachedWhere.where})` : '';
        return `detached, pid ${state.detachedPid}${where}`;
      }
      if (slot.stoppedByHand) return lastExit === null && spawnError === null ? 'stopped by hand' : `stopped by hand ${at()}`;
      return lastExit === null && spawnError === null ? 'Not started' : `stopped ${at()}`;
  }
}

/** 0:00:05, or 2 days, 3:04:05 as supervisorctl writes it. */
export function formatUptime(seconds: number): string {
  const s = Math.floor(seconds);
  const days = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  const clock = `${h}:${String(m).padStart(2, '0')}:${String(rest).padStart(2, '0')}`;
  return days > 0 ? `${days} day${days === 1 ? '' : 's'}, ${clock}` : clock;
}

// Not toLocaleString: it builds an Intl formatter on every call (~70 µs),
// which made `status` of 200 processes take 14 ms of the daemon's loop.
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function clockTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getMonth()]} ${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
