// A record of the children alive, so that a daemon killed with SIGKILL
// does not leave programs that the next one would start a second time. Each
// pid is kept with its start time from /proc: a pid reused by an unrelated
// process after a reboot or wrap-around has another start time and is
// never touched.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { pidOf } from '../core/states';
import type { Supervisor } from '../supervisor/supervisor';

export interface LeftoverEntry {
  name: string;
  pid: number;
  starttime: string; // field 22 of /proc/PID/stat, in clock ticks since boot
  stopsignal: string;
  stoptimeMs: number;
  stopasgroup: boolean;
  killasgroup: boolean;
}

/** Field 22 of /proc/PID/stat, or null when the process is gone (or a zombie). */
export function procStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) is in parentheses and may hold spaces: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return null; // dead, waiting to be reaped
    return fields[19] ?? null; // field 22 is the 20th after comm
  } catch {
    return null;
  }
}

export function readStateFile(path: string): LeftoverEntry[] {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return Array.isArray(parsed) ? (parsed as LeftoverEntry[]).filter((e) => Number.isInteger(e?.pid) && typeof e.starttime === 'string') : [];
  } catch {
    return []; // none, or unreadable: nothing to clean up
  }
}

/** Keeps the state file current, written at most once per event-loop turn, by rename. */
export function keepStateFile(path: string, sup: Supervisor, onError: (message: string) => void): () => void {
  let pending = false;
  let failed = false;
  let written: string | null = null;
  // A pid's start time never changes: read /proc once per pid, not once per
  // pid per write, or starting N programs would cost N² reads.
  let startTimes = new Map<number, string | null>();
  const write = (): void => {
    pending = false;
    const entries: LeftoverEntry[] = [];
    const seen = new Map<number, string | null>();
    for (const slot of sup.list()) {
      const pid = pidOf(slot.rec.state);
      if (pid === null) continue;
      const starttime = startTimes.has(pid) ? (startTimes.get(pid) as string | null) : procStartTime(pid);
      seen.set(pid, starttime);
      if (starttime === null) continue;
      const p = slot.policy;
      entries.push({ name: slot.name, pid, starttime, stopsignal: p.stopsignal, stoptimeMs: p.stoptimeMs, stopasgroup: p.stopasgroup, killasgroup: p.killasgroup });
    }
    startTimes = seen; // pids gone since the last write are forgotten
    const text = JSON.stringify(entries);
    // Most changes (STARTING → RUNNING, say) leave the pids as they were.
    if (text === written) return;
    try {
      writeFileSync(`${path}.tmp`, text);
      renameSync(`${path}.tmp`, path);
      written = text;
      failed = false;
    } catch (err) {
      if (!failed) onError(`cannot write state file ${path}: ${(err as Error).message}`);
      failed = true;
    }
  };
  write();
  return sup.onChange(() => {
    if (!pending) {
      pending = true;
      setImmediate(write);
    }
  });
}

/**
 * Stops what a previous daemon left running: its stop signal, then SIGKILL
 * after its stoptime, as a normal stop would. Returns the names handled.
 */
export async function stopLeftovers(entries: LeftoverEntry[], log: (entry: LeftoverEntry, what: string) => void): Promise<string[]> {
  const ours = entries.filter((e) => procStartTime(e.pid) === e.starttime);
  await Promise.all(ours.map((e) => stopOne(e, log)));
  return ours.map((e) => e.name);
}

async function stopOne(e: LeftoverEntry, log: (entry: LeftoverEntry, what: string) => void): Promise<void> {
  const signal = (sig: string, group: boolean): void => {
    try {
      process.kill(group ? -e.pid : e.pid, `SIG${sig}` as NodeJS.Signals);
    } catch {
      // ESRCH: already gone
    }
  };
  log(e, `stopping ${e.name} (pid ${e.pid}) left running by a previous taskmasterd`);
  signal(e.stopsignal, e.stopasgroup);
  const deadline = Date.now() + e.stoptimeMs;
  // Not our child: no exit event will come, so poll /proc until it is gone.
  while (procStartTime(e.pid) === e.starttime) {
    if (Date.now() >= deadline) {
      log(e, `${e.name} (pid ${e.pid}) outlived stoptime; SIGKILL`);
      signal('KILL', e.killasgroup);
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
