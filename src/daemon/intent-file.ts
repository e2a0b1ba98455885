// What operators stopped by hand, kept on disk so that a later daemon (after
// a restart or a reboot) leaves those processes stopped instead of
// autostarting them. Each is kept with its program's config hash: a program
// whose config changed since is autostarted again, as a new one would be.
//
// The file lives in childlogdir, not beside the socket with the state file:
// /run is emptied at boot, and this must outlive a reboot. childlogdir stays
// the daemon's to write after it drops privileges (as tokens.json does).
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { programHash } from '../config/program-hash';
import type { Supervisor } from '../supervisor/supervisor';

export const INTENT_FILE = 'stopped-by-hand.json';

/** Process name → the hash of its program's config when it was stopped. */
export type RememberedStops = ReadonlyMap<string, string>;

interface IntentFileText {
  stopped_by_hand: Record<string, string>;
}

export function intentFileIn(childlogdir: string): string {
  return join(childlogdir, INTENT_FILE);
}

/** None when there is no file; a damaged one is reported and forgotten (the programs then autostart, as without it). */
export function readIntentFile(path: string, onError: (message: string) => void): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') onError(`cannot read ${path}: ${(err as Error).message}; every program autostarts as configured`);
    return new Map();
  }
  try {
    const parsed = (JSON.parse(text) as Partial<IntentFileText> | null)?.stopped_by_hand;
    if (typeof parsed !== 'object' || parsed === null) throw new Error('no "stopped_by_hand" map');
    return new Map(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch (err) {
    onError(`${path} is damaged (${(err as Error).message}); every program autostarts as configured`);
    return new Map();
  }
}

/**
 * Writes the slots stopped by hand now, and again whenever that changes (at
 * most once per event-loop turn). Replaced whole by a rename, after an fsync:
 * a crash or a power cut leaves the old file or the new one, never half.
 */
export function keepIntentFile(path: string, sup: Supervisor, onError: (message: string) => void): () => void {
  let pending = false;
  let failed = false;
  let written: string | null = null;
  const write = (): void => {
    pending = false;
    const stopped: Record<string, string> = {};
    for (const slot of sup.list()) if (slot.stoppedByHand) stopped[slot.name] = programHash(slot.program);
    const text = `${JSON.stringify({ stopped_by_hand: stopped } satisfies IntentFileText)}\n`;
    if (text === written) return;
    try {
      const tmp = `${path}.tmp`;
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, path);
      written = text;
      failed = false;
    } catch (err) {
      if (!failed) onError(`cannot write ${path}: ${(err as Error).message}; what was stopped by hand may autostart at the next daemon start`);
      failed = true;
    }
  };
  write();
  return sup.onIntentChange(() => {
    if (!pending) {
      pending = true;
      setImmediate(write);
    }
  });
}
