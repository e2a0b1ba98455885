// Signal names as the platform knows them (os.constants.signals), without the
// SIG prefix, so a config accepts exactly what the daemon can send. The one
// table of names and numbers: stopsignal, the `signal` command, the CLI's
// completion and the names of exits reported by number all read it.
import { constants } from 'node:os';

const TABLE: ReadonlyArray<[string, number]> = Object.entries(constants.signals).map(([n, v]) => [n.slice(3), v]);

export const SIGNAL_NAMES: readonly string[] = TABLE.map(([n]) => n);

/** 'TERM', 'SIGTERM', 'term' and 15 all give 'TERM'; null when not a signal. */
export function canonicalSignal(input: string | number): string | null {
  if (typeof input === 'number' || /^\d+$/.test(input)) {
    const num = Number(input);
    // Aliases share a number (IOT = ABRT, POLL = IO); the table lists the
    // usual name first, so the first match is the one to show.
    return TABLE.find(([, v]) => v === num)?.[0] ?? null;
  }
  const upper = input.toUpperCase();
  const bare = upper.startsWith('SIG') ? upper.slice(3) : upper;
  return SIGNAL_NAMES.includes(bare) ? bare : null;
}

/** The SIG-prefixed name of a signal number, as Node itself reports a child's
 *  death ('SIGABRT' for 6, not its alias SIGIOT); null when not a signal. */
export function signalName(num: number): NodeJS.Signals | null {
  const name = canonicalSignal(num);
  return name === null ? null : (`SIG${name}` as NodeJS.Signals);
}

/** The number of a signal given as canonicalSignal accepts it; null when not a signal. */
export function signalNumber(input: string): number | null {
  const name = canonicalSignal(input);
  return name === null ? null : (TABLE.find(([n]) => n === name)?.[1] ?? null);
}
