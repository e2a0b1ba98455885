// One supervised process: its config, its record in the pure core, and the
// OS resources the edge holds for it (child, timer, output logs).
import { join } from 'node:path';
import { expandTemplate } from '../config/expand';
import type { LogTarget, ProgramConfig } from '../config/types';
import type { HealthRecord } from '../core/health';
import type { Transition } from '../core/machine';
import { newRecord, type ProcPolicy, type ProcRecord } from '../core/record';
import type { Clock, Timer } from './edges';
import { OutputLog } from './output-log';
import type { Child } from './spawner';
import type { RotatingFileOp } from './rotating-file';

/** Called after every decision with the transitions it made; true removes the waiter. */
export type Waiter = (slot: Slot, transitions: readonly Transition[]) => boolean;

export interface Slot {
  name: string;
  index: number;
  program: ProgramConfig;
  policy: ProcPolicy;
  rec: ProcRecord;
  child: Child | null;
  timer: Timer | null; // the wake the core asked for, due at timerAt
  timerAt: number | null;
  stdout: OutputLog;
  stderr: OutputLog;
  waiters: Set<Waiter>;
  wallChangedAt: number; // wall-clock ms of the last state change, for people
  // Successful spawns since the slot was made (status's restarts: all but the
  // first). Not the core's rec.restarts, a crash streak that a good run resets.
  spawns: number;
  exitedWallAt: number | null; // wall-clock ms of the last exit, for people
  removed: boolean;
  /** Where detached `pid` ended up under systemd (its own scope, or still in the service), for `status`. */
  detachedWhere: { pid: number; where: string } | null;
  /** The cgroup of the current (or last) child, in the cgroup mode; null under process groups only. */
  cgroup: string | null;
  /** memory.events oom_kill of that cgroup when the child started: a rise over the run is an OOM kill. */
  oomKillsAtSpawn: number;
  /** `ready: notify`: what the live child last said with STATUS=, RELOADING=1, STOPPING=1 (readiness-driver.ts). */
  notify?: { status: string | null; phase: 'reloading' | 'stopping' | null };
  /** While a start is held back by depends_on (dependency-gate.ts): why, for `status`. */
  waitingFor: string | null;
  /** Stopped by an operator's `stop` and not started by hand since: kept across daemon
   *  restarts (daemon/intent-file.ts), so a later daemon does not autostart it. */
  stoppedByHand: boolean;
  /** While RUNNING with a healthcheck: what its probes say (health-checks.ts); null otherwise. */
  health: HealthRecord | null;
}

export function policyOf(p: ProgramConfig): ProcPolicy {
  return {
    autorestart: p.autorestart,
    exitcodes: p.exitcodes,
    startretries: p.startretries,
    starttimeMs: p.starttime * 1000,
    stopsignal: p.stopsignal,
    stoptimeMs: p.stoptime * 1000,
    restartdelayMs: p.restartdelay * 1000,
    restartdelayMaxMs: p.restartdelay_max * 1000,
    stopasgroup: p.stopasgroup,
    killasgroup: p.killasgroup,
    readyTimeoutMs: p.ready === null ? null : p.ready_timeout * 1000,
    watchdogMs: p.ready?.kind === 'notify' && p.watchdog_sec !== null ? p.watchdog_sec * 1000 : null,
  };
}

export type LogErrorSink = (slot: string, stream: 'stdout' | 'stderr', err: NodeJS.ErrnoException, op: RotatingFileOp) => void;

export function createSlot(
  program: ProgramConfig,
  index: number,
  name: string,
  clock: Pick<Clock, 'now' | 'wallNow'>,
  childlogdir: string,
  onLogError: LogErrorSink,
): Slot {
  const logFor = (stream: 'stdout' | 'stderr', target: LogTarget): OutputLog => {
    const path = logPath(target, stream, program, index, name, childlogdir);
    if (path === null) return new OutputLog(null);
    return new OutputLog({
      path,
      maxBytes: program[`${stream}_maxbytes`],
      backups: program[`${stream}_backups`],
      onError: (err, op) => onLogError(name, stream, err, op),
    });
  };
  const stdout = logFor('stdout', program.stdout);
  // redirect_stderr: stderr's bytes go to the stdout log (see Children.spawn).
  const stderr = program.redirect_stderr ? new OutputLog(null) : logFor('stderr', program.stderr);
  return {
    name,
    index,
    program,
    policy: policyOf(program),
    rec: newRecord(clock.now(), 'down'),
    child: null,
    timer: null,
    timerAt: null,
    stdout,
    stderr,
    waiters: new Set(),
    wallChangedAt: clock.wallNow(),
    spawns: 0,
    exitedWallAt: null,
    removed: false,
    detachedWhere: null,
    cgroup: null,
    oomKillsAtSpawn: 0,
    waitingFor: null,
    stoppedByHand: false,
    health: null,
  };
}

function logPath(
  target: LogTarget,
  stream: 'stdout' | 'stderr',
  program: ProgramConfig,
  index: number,
  name: string,
  childlogdir: string,
): string | null {
  switch (target.kind) {
    case 'none':
      return null;
    case 'auto':
      return join(childlogdir, `${name.replace(':', '_')}.${stream}.log`);
    case 'file':
      return expandTemplate(target.path, { program_name: program.name, process_num: index, process_name: name });
  }
}
