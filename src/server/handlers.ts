// One function per protocol command. Each returns the command's result or
// throws a TaskmasterError; the connection turns either into a Response.
import { effectiveProgram } from '../config/effective';
import { canonicalSignal, SIGNAL_NAMES } from '../config/signals';
import { selectProcesses } from '../core/names';
import { pidOf } from '../core/states';
import { shown, TaskmasterError } from '../protocol/errors';
import { PROTOCOL_VERSION, type CommandName, type RequestOf, type ResultOf } from '../protocol/messages';
import { restartAll, startAll, stopAll } from '../supervisor/actions';
import type { Slot } from '../supervisor/slot';
import { statusOf } from '../supervisor/status';
import type { DaemonControl } from './control';

/** Lets a streaming command send chunks after its response and learn when the client leaves. */
export interface StreamSink {
  send(chunk: string): void;
  onClose(cleanup: () => void): void;
}

type Handler<C extends CommandName> = (ctl: DaemonControl, req: RequestOf<C>, sink: StreamSink) => Promise<ResultOf[C]> | ResultOf[C];

function select(ctl: DaemonControl, patterns: string[]): Slot[] {
  const all = ctl.supervisor.list();
  const found = selectProcesses(patterns, all.map((s) => ({ name: s.name, program: s.program.name })));
  if (!found.ok) throw new TaskmasterError('ENOPROGRAM', `no such process: ${listed(found.unknown)}`);
  return found.names.map((n) => ctl.supervisor.get(n) as Slot);
}

/** Names as the client wrote them, bounded: a request may hold 100,000 of them. */
function listed(names: string[]): string {
  const SHOWN_NAMES = 10;
  const some = names.slice(0, SHOWN_NAMES).map((n) => (/^[\w.:*-]{1,80}$/.test(n) ? n : shown(n)));
  return names.length > SHOWN_NAMES ? `${some.join(', ')} and ${names.length - SHOWN_NAMES} more` : some.join(', ');
}

function needNames(names: string[], cmd: string): void {
  if (names.length === 0) throw new TaskmasterError('EBADREQUEST', `${cmd} needs at least one name (or "all")`);
}

function refuseWhenShuttingDown(ctl: DaemonControl): void {
  if (ctl.shuttingDown()) throw new TaskmasterError('ESHUTDOWN', 'taskmasterd is shutting down');
}

/**
 * Whole groups (`all`, `prog:*`, or `prog` with numprocs > 1) skip members
 * already in the asked-for state, as supervisord does; a single process
 * named on its own reports it.
 */
function namesGroups(ctl: DaemonControl, names: string[]): boolean {
  return names.some((n) => {
    if (n === 'all' || n.endsWith(':*')) return true;
    if (n.includes(':')) return false;
    return ctl.supervisor.list().filter((s) => s.program.name === n).length > 1;
  });
}

function one(ctl: DaemonControl, name: string): Slot {
  const slots = select(ctl, [name]);
  if (slots.length !== 1) {
    throw new TaskmasterError('ENOPROGRAM', `${shown(name)} names ${slots.length} processes (${slots.map((s) => s.name).join(', ')}); name one`);
  }
  return slots[0] as Slot;
}

export const HANDLERS: { [C in CommandName]: Handler<C> } = {
  hello: (ctl) => ({ version: ctl.version, protocol: PROTOCOL_VERSION }),
  version: (ctl) => ({ version: ctl.version, protocol: PROTOCOL_VERSION }),
  status: (ctl, req) => {
    const slots = req.names.length === 0 ? ctl.supervisor.list() : select(ctl, req.names);
    const now = ctl.now();
    return slots.map((s) => statusOf(s, now));
  },
  start: (ctl, req) => {
    needNames(req.names, 'start');
    refuseWhenShuttingDown(ctl);
    return startAll(ctl.supervisor, select(ctl, req.names), namesGroups(ctl, req.names));
  },
  stop: (ctl, req) => {
    needNames(req.names, 'stop');
    return stopAll(ctl.supervisor, select(ctl, req.names), namesGroups(ctl, req.names));
  },
  restart: (ctl, req) => {
    needNames(req.names, 'restart');
    refuseWhenShuttingDown(ctl);
    return restartAll(ctl.supervisor, select(ctl, req.names));
  },
  signal: (ctl, req) => {
    needNames(req.names, 'signal');
    const signal = canonicalSignal(req.signal);
    if (signal === null) {
      throw new TaskmasterError('EBADSIGNAL', `unknown signal ${shown(req.signal)}; valid: ${SIGNAL_NAMES.join(' ')}`);
    }
    return select(ctl, req.names).map((s) => ctl.supervisor.signal(s, signal));
  },
  reload: (ctl) => {
    refuseWhenShuttingDown(ctl);
    return ctl.reload();
  },
  config: (ctl, req) => {
    const programs = new Map(select(ctl, [req.name]).map((s) => [s.program.name, s.program]));
    return [...programs.values()].map(effectiveProgram);
  },
  tail: (ctl, req, sink) => {
    const slot = one(ctl, req.name);
    if (req.stream === 'stderr' && slot.program.redirect_stderr) {
      throw new TaskmasterError('ENOLOG', `${slot.name}: stderr is redirected to stdout (redirect_stderr); tail stdout`);
    }
    const log = slot[req.stream];
    if (req.follow) {
      const stop = log.follow((chunk) => sink.send(chunk.toString('utf8')));
      sink.onClose(stop);
    }
    return { data: log.tail(req.lines) };
  },
  maintail: (ctl, req, sink) => {
    const data = ctl.mainLog.last(req.lines);
    if (req.follow) sink.onClose(ctl.mainLog.follow((line) => sink.send(line)));
    return { data };
  },
  pid: (ctl, req) => {
    if (req.name === null) return [{ name: 'taskmasterd', pid: process.pid }];
    return select(ctl, [req.name]).map((s) => ({ name: s.name, pid: pidOf(s.rec.state) }));
  },
  shutdown: (ctl) => {
    // Answer first; the daemon then stops everything and exits.
    setImmediate(() => ctl.shutdown());
    return {};
  },
};
