// The edge of `ready:`: it watches a child while it is STARTING and tells
// the core what it saw, as facts (ready, notReady, watchdog); the core
// decides. log: output lines are matched as they are read; tcp, http, exec:
// a probe every POLL_MS; notify: messages on the daemon's sd_notify socket,
// whose sender the kernel names. Nothing runs for a program without
// `ready:`, and a watch ends the moment its child leaves STARTING (notify:
// when the child is gone, since STATUS= and WATCHDOG=1 go on while RUNNING).
import type { Fact } from '../core/inputs';
import type { ProgramConfig } from '../config/types';
import type { ReadyCheck } from '../config/ready-readers';
import { showTcpTarget } from '../config/probe-readers';
import type { Prober } from '../probes/prober';
import type { Clock, Timer } from './edges';
import type { SupervisorLog } from './log';
import type { Slot } from './slot';
import { LineMatcher } from '../readiness/line-match';
import type { NotifyEndpoint, NotifyMessage } from '../readiness/notify-socket';
import { parseNotify } from '../readiness/notify-text';

/** Between the end of one probe and the start of the next. */
export const POLL_MS = 250;
/** The longest one probe may take (less when ready_timeout is shorter). */
export const PROBE_TIMEOUT_MS = 5000;
/** Pids whose messages were ignored, remembered so each is logged once; bounded. */
const WARNED_MAX = 1000;

export interface ReadinessDeps {
  clock: Pick<Clock, 'setTimer'>;
  log: SupervisorLog;
  /** The daemon's probes (probes/prober.ts), shared with health checks. */
  prober: Prober;
  notify: NotifyEndpoint;
  /** The process group of a live process (process-group.ts), or null. */
  groupOf(pid: number): number | null;
  /** The environment the program's child was given: an exec probe runs with it. */
  envOf(slot: Slot): Record<string, string>;
  report(slot: Slot, fact: Fact): void;
}

export class Readiness {
  // The main pid of each live child of a `ready: notify` program.
  private readonly notifying = new Map<number, Slot>();
  private readonly warned = new Set<number>();

  constructor(private readonly deps: ReadinessDeps) {
    deps.notify.onMessage((m) => this.message(m));
  }

  /** What a program's child gets in its environment for its check: NOTIFY_SOCKET (and WATCHDOG_USEC) for notify. */
  envOf(p: ProgramConfig): Record<string, string> {
    if (p.ready?.kind !== 'notify') return {};
    const socket = this.deps.notify.open();
    if (!socket.ok) return {};
    const env: Record<string, string> = { NOTIFY_SOCKET: socket.path };
    if (p.watchdog_sec !== null) env.WATCHDOG_USEC = String(Math.round(p.watchdog_sec * 1e6));
    return env;
  }

  /** After a spawn: watches the new child, if its program has a check. */
  spawned(slot: Slot): void {
    const check = slot.program.ready;
    const pid = slot.child?.pid;
    if (check === null || pid === undefined) return;
    if (check.kind === 'notify') {
      this.watchNotify(slot, pid);
      return;
    }
    const stop = check.kind === 'log' ? this.watchLog(slot, pid, check.pattern) : this.poll(slot, pid, check);
    // Ends with STARTING, or with this child (a restart, a removal).
    slot.waiters.add((s) => {
      if (!s.removed && s.child?.pid === pid && s.rec.state.kind === 'STARTING') return false;
      stop();
      return true;
    });
  }

  private watchNotify(slot: Slot, pid: number): void {
    const socket = this.deps.notify.open();
    if (!socket.ok) {
      this.deps.log.error({ process: slot.name, why: socket.why }, `${slot.name}: ready: notify, but there is no notify socket: ${socket.why}`);
      this.deps.report(slot, { type: 'notReady', pid, reason: `no notify socket: ${socket.why}` });
      return;
    }
    slot.notify = { status: null, phase: null };
    this.notifying.set(pid, slot);
    this.deps.report(slot, { type: 'notReady', pid, reason: 'no READY=1' });
    slot.waiters.add((s) => {
      if (!s.removed && s.child?.pid === pid) return false;
      this.notifying.delete(pid);
      if (s.child === null) s.notify = undefined;
      return true;
    });
  }

  private message(m: NotifyMessage): void {
    const slot = this.senderOf(m.pid);
    if (slot === undefined) {
      if (this.warned.size >= WARNED_MAX) this.warned.clear();
      if (!this.warned.has(m.pid)) {
        this.warned.add(m.pid);
        this.deps.log.warn({ pid: m.pid, uid: m.uid }, `notify socket: ignored a message from pid ${m.pid} (uid ${m.uid}), which is no process of a ready: notify program`);
      }
      return;
    }
    const pid = slot.child?.pid;
    if (pid === undefined) return; // its exit is being handled: the watch ends with it
    const said = parseNotify(m.text);
    const view = (slot.notify ??= { status: null, phase: null });
    if (said.status !== null) view.status = said.status === '' ? null : said.status;
    if (said.reloading) view.phase = 'reloading';
    if (said.stopping) view.phase = 'stopping';
    if (said.ready) {
      if (!said.reloading) view.phase = null;
      this.deps.report(slot, { type: 'ready', pid, how: 'READY=1' });
    }
    if (said.watchdog) this.deps.report(slot, { type: 'watchdog', pid });
  }

  /** The slot a message is from: its main process, or one in that process's group. */
  private senderOf(pid: number): Slot | undefined {
    const direct = this.notifying.get(pid);
    if (direct !== undefined) return direct;
    const group = this.notifying.size === 0 ? null : this.deps.groupOf(pid);
    return group === null ? undefined : this.notifying.get(group);
  }

  private watchLog(slot: Slot, pid: number, pattern: string): () => void {
    const re = new RegExp(pattern);
    const how = `a line of output matched /${pattern}/`;
    this.deps.report(slot, { type: 'notReady', pid, reason: `no line of output matched /${pattern}/` });
    // With redirect_stderr both streams reach the stdout log; stderr's then carries nothing.
    const streams = slot.program.redirect_stderr ? [slot.stdout] : [slot.stdout, slot.stderr];
    const offs = streams.map((stream) => {
      const lines = new LineMatcher(re);
      return stream.follow((chunk) => {
        if (lines.feed(chunk)) this.deps.report(slot, { type: 'ready', pid, how });
      });
    });
    return () => offs.forEach((off) => off());
  }

  private poll(slot: Slot, pid: number, check: Exclude<ReadyCheck, { kind: 'notify' | 'log' }>): () => void {
    const { clock, report } = this.deps;
    const timeoutMs = Math.min(PROBE_TIMEOUT_MS, slot.policy.readyTimeoutMs ?? PROBE_TIMEOUT_MS);
    const abort = new AbortController();
    let timer: Timer | null = null;
    let last: string | null = null;
    const label = describeCheck(check);
    const probeOnce = async (): Promise<void> => {
      timer = null;
      const failure = await this.probe(slot, check, timeoutMs, abort.signal);
      if (abort.signal.aborted) return;
      if (failure === null) {
        report(slot, { type: 'ready', pid, how: `${label} passed` });
        return;
      }
      // Only a change is a fact: the core keeps the latest reason for the timeout's message.
      if (failure !== last) report(slot, { type: 'notReady', pid, reason: `${label}: ${failure}` });
      last = failure;
      if (!abort.signal.aborted) timer = clock.setTimer(() => void probeOnce(), POLL_MS);
    };
    timer = clock.setTimer(() => void probeOnce(), POLL_MS);
    return () => {
      abort.abort();
      timer?.cancel();
    };
  }

  private probe(slot: Slot, check: Exclude<ReadyCheck, { kind: 'notify' | 'log' }>, timeoutMs: number, signal: AbortSignal): Promise<string | null> {
    const p = slot.program;
    return this.deps.prober.probe(check, timeoutMs, { env: this.deps.envOf(slot), cwd: p.workingdir, user: p.user }, signal);
  }
}

/** "tcp 127.0.0.1:8080", "http http://…/health", "exec pg_isready": how a check is named in reasons. */
export function describeCheck(check: ReadyCheck): string {
  switch (check.kind) {
    case 'notify':
      return 'notify';
    case 'log':
      return `log /${check.pattern}/`;
    case 'tcp':
      return `tcp ${showTcpTarget(check)}`;
    case 'http':
      return `http ${check.url}`;
    case 'exec':
      return `exec ${JSON.stringify(check.cmd)}`;
  }
}
