// One function per command, in one table keyed by CommandName: a command of
// the schema without a handler here does not compile. A unary handler
// returns the command's output (or throws a TaskmasterError); a streaming one
// sends items through its Stream and resolves when the stream ends by itself.
// The connection has checked the identity's right to the command already.
import type { JsonObject } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { effectiveProgram } from '../config/effective';
import { canonicalSignal, SIGNAL_NAMES } from '../config/signals';
import { pidOf } from '../core/states';
import type { ProcessStats } from '../gen/taskmaster/v1/control_pb';
import { shown, TaskmasterError } from '../protocol/errors';
import { PROTOCOL_VERSION } from '../protocol/messages';
import { dependentsLeftUp, restartAll, startAll, stopAll } from '../supervisor/actions';
import { statusOf } from '../supervisor/status';
import type { DaemonControl } from './control';
import type { CommandName } from '../protocol/commands';
import type { HandlerOf } from './handler-types';
import { JOB_HANDLERS } from './job-handlers';
import { namesGroups, needNames, one, select } from './selection';
import { DETACH_HANDLER } from './detach-handler';
import { ATTACH_HANDLERS } from './attach-handlers';
import { LOG_URL_HANDLER } from './log-url-handler';
import { METRICS_HANDLER } from './metrics-handler';
import { TOKEN_HANDLERS } from './token-handlers';
import { logOf, sendWholeLog, streamName } from './whole-log';
import { setTimeout as sleep } from 'node:timers/promises';

// watch's default interval, and the shortest it accepts: a view refreshed
// faster than people read costs the daemon for nothing.
const WATCH_INTERVAL_MS = 1000;
const WATCH_MIN_INTERVAL_MS = 200;

function refuseWhenShuttingDown(ctl: DaemonControl): void {
  if (ctl.shuttingDown()) throw new TaskmasterError('ESHUTDOWN', 'taskmasterd is shutting down');
}

/** Resolves after `ms`, or at once when `closed` aborts (the abort is the end of the wait, not an error). */
const pause = (ms: number, closed: AbortSignal): Promise<void> => sleep(ms, undefined, { signal: closed }).catch(() => undefined);

/** Resolves when the client leaves. */
export function untilClosed(closed: AbortSignal): Promise<void> {
  if (closed.aborted) return Promise.resolve();
  return new Promise((resolve) => closed.addEventListener('abort', () => resolve(), { once: true }));
}

export const HANDLERS: { [C in CommandName]: HandlerOf<C> } = {
  ...JOB_HANDLERS,
  ...TOKEN_HANDLERS,
  ...ATTACH_HANDLERS,
  detach: DETACH_HANDLER,
  logUrl: LOG_URL_HANDLER,
  metrics: METRICS_HANDLER,
  version: (ctl) => ({ version: ctl.version, protocol: PROTOCOL_VERSION }),
  status: (ctl, _identity, req) => {
    const slots = req.names.length === 0 ? ctl.supervisor.list() : select(ctl, req.names);
    const answer = (stats: ReadonlyMap<string, ProcessStats> | null) => {
      // Taken after /proc was read: the states shown are those of that moment or later.
      const now = ctl.now();
      return { processes: slots.map((s) => statusOf(s, now, stats?.get(s.name))) };
    };
    // Without stats it answers at once, as before: the common status pays nothing.
    return req.stats ? ctl.processStats(slots).then(answer) : answer(null);
  },
  watch: async (ctl, _identity, req, out) => {
    const interval = req.intervalMs === 0 ? WATCH_INTERVAL_MS : Math.max(WATCH_MIN_INTERVAL_MS, req.intervalMs);
    while (!out.closed.aborted) {
      // Selected again each time: a reload may have added or removed processes.
      const slots = req.names.length === 0 ? ctl.supervisor.list() : select(ctl, req.names);
      const stats = await ctl.processStats(slots);
      if (out.closed.aborted) break;
      const now = ctl.now();
      out.send({ processes: slots.map((s) => statusOf(s, now, stats.get(s.name))), at: timestampFromMs(ctl.wallNow()) });
      // A view that falls behind gets fewer, fresher answers, not a queue of old ones.
      await out.drained();
      await pause(interval, out.closed);
    }
  },
  start: async (ctl, _identity, req) => {
    needNames(req.names, 'start');
    refuseWhenShuttingDown(ctl);
    const slots = select(ctl, req.names);
    ctl.supervisor.setStoppedByHand(slots, false);
    return { outcomes: await startAll(ctl.supervisor, slots, namesGroups(ctl, req.names)) };
  },
  stop: async (ctl, _identity, req) => {
    needNames(req.names, 'stop');
    const chosen = select(ctl, req.names);
    const dependents = dependentsLeftUp(ctl.supervisor, chosen);
    if (dependents.length > 0 && !req.withDependents) {
      const names = [...new Set(dependents.map((s) => s.program.name))].join(', ');
      throw new TaskmasterError('EDEPENDENTS', `running programs depend on what this would stop: ${names}; stop them first, or stop --with-dependents`);
    }
    const slots = [...dependents, ...chosen];
    // Remembered across daemon restarts until a start by hand (daemon/intent-file.ts).
    ctl.supervisor.setStoppedByHand(slots, true);
    return { outcomes: await stopAll(ctl.supervisor, slots, namesGroups(ctl, req.names)) };
  },
  restart: async (ctl, _identity, req) => {
    needNames(req.names, 'restart');
    refuseWhenShuttingDown(ctl);
    const slots = select(ctl, req.names);
    ctl.supervisor.setStoppedByHand(slots, false);
    return { outcomes: await restartAll(ctl.supervisor, slots) };
  },
  signal: (ctl, _identity, req) => {
    needNames(req.names, 'signal');
    const signal = canonicalSignal(req.signal);
    if (signal === null) {
      throw new TaskmasterError('EBADSIGNAL', `unknown signal ${shown(req.signal)}; valid: ${SIGNAL_NAMES.join(' ')}`);
    }
    return { outcomes: select(ctl, req.names).map((s) => ctl.supervisor.signal(s, signal)) };
  },
  reload: (ctl, _identity, req) => {
    if (req.dryRun) return ctl.reload(true);
    refuseWhenShuttingDown(ctl);
    return ctl.reload();
  },
  config: (ctl, _identity, req) => {
    const programs = new Map(select(ctl, [req.name]).map((s) => [s.program.name, s.program]));
    return { programs: [...programs.values()].map((p) => effectiveProgram(p) as JsonObject) };
  },
  tail: async (ctl, _identity, req, out) => {
    const slot = one(ctl, req.name);
    const stream = streamName(req.stream);
    if (req.whole) {
      if (req.follow) throw new TaskmasterError('EBADREQUEST', 'tail: whole and follow cannot go together');
      return sendWholeLog(slot, stream, out);
    }
    const log = logOf(slot, stream);
    // The end of the log, then (subscribed in the same tick, so nothing falls between) what comes next.
    out.send({ data: log.tail(req.lines) });
    if (!req.follow) return;
    const stop = log.follow((chunk) => out.send({ data: chunk.toString('utf8') }));
    await untilClosed(out.closed);
    stop();
  },
  maintail: async (ctl, _identity, req, out) => {
    out.send({ data: ctl.mainLog.last(req.lines) });
    if (!req.follow) return;
    const stop = ctl.mainLog.follow((line) => out.send({ data: line }));
    await untilClosed(out.closed);
    stop();
  },
  events: async (ctl, _identity, _req, out) => {
    // The daemon's own events, already plain JSON: sent as they are.
    const stop = ctl.supervisor.events.subscribe((event) => out.send({ event: event as unknown as JsonObject }));
    await untilClosed(out.closed);
    stop();
  },
  pid: (ctl, _identity, req) => {
    if (req.name === undefined) return { pids: [{ name: 'taskmasterd', pid: process.pid }] };
    return { pids: select(ctl, [req.name]).map((s) => ({ name: s.name, pid: pidOf(s.rec.state) ?? undefined })) };
  },
  shutdown: (ctl) => {
    // Answer first; the daemon then stops everything and exits.
    setImmediate(() => ctl.shutdown());
    return {};
  },
};
