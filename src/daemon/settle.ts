// What the daemon gives back once start-up is over, so that an idle daemon
// costs neither CPU nor memory it does not use.
//
// CPU: V8's memory reducer arms itself during start-up and, 8 s after the
// last full GC, runs up to three more (10 to 40 ms of CPU): an idle daemon's
// only work, and one no flag can turn off once the heap exists. The daemon's
// main script (src/entry.ts) sets the `whileStarting` flags of
// src/daemon-v8-flags.json before its bundle loads, which is when the reducer
// arms: no delay (start-delay 1 ms), no waiting for allocation to calm down
// (optimize-for-size), one GC (single-gc). So it runs once within 0.2 s of
// start and is done; it arms again only at a full GC that finds the heap
// 10 MB bigger than at its last run.
// Once settled, the daemon collects the rest of start-up's garbage with one
// compacting GC of its own (too little growth to re-arm the reducer) and
// puts V8's defaults back (`onceSettled`) for the rest of its life: after a
// burst of work the reducer gives memory back as usual. Measured with 100
// programs, CPU from 4 s to 34 s after start: 32–44 ms before, 0 after.
//
// Memory: start-up leaves about 36 MiB of the executable mapped, of which an
// idle daemon uses a few; src/native/memory.c unmaps the rest. A reload
// touches code of its own (YAML's parser, the diff), so it is released again
// after each one.
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import DAEMON_V8_FLAGS from '../daemon-v8-flags.json';
import type { MemoryAddon } from '../native/memory-addon';
import type { SupervisorLog } from '../supervisor/log';

/** READY (or a reload) to settled: programs are launched, their first output written. */
export const SETTLE_AFTER_MS = 2_000;

export interface Settler {
  /** Releases the executable's pages again, SETTLE_AFTER_MS from now (after a reload). */
  releaseSoon(): void;
  stop(): void;
}

/** Call at READY. `memory` null: built without the addon, or it failed to load. */
export function settleAfterStart(memory: MemoryAddon | null, log: SupervisorLog): Settler {
  const release = (): void => void memory?.releaseExecutablePages();
  let timer: NodeJS.Timeout | null = setTimeout(() => {
    timer = null;
    const rss = measured(() => {
      collectCompacting();
      for (const flag of DAEMON_V8_FLAGS.onceSettled) setFlagsFromString(flag);
      release();
    });
    log.info({ rss_mib: rss.after.total, anon_mib: rss.after.anon, was_mib: rss.before.total }, `settled after start-up: RSS ${rss.before.total} MiB -> ${rss.after.total} MiB`);
  }, SETTLE_AFTER_MS).unref();
  const schedule = (): void => {
    if (timer !== null) return; // the pending settle releases them too
    timer = setTimeout(() => {
      timer = null;
      const rss = measured(release);
      log.debug({ rss_mib: rss.after.total, was_mib: rss.before.total }, `executable pages released after a reload: RSS ${rss.before.total} MiB -> ${rss.after.total} MiB`);
    }, SETTLE_AFTER_MS).unref();
  };
  return {
    releaseSoon: schedule,
    stop: () => {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}

/**
 * A full GC that also moves live objects together: a plain one frees dead
 * objects in place and returns a page only when nothing on it is left.
 * gc() exists only in contexts made after --expose-gc: a throwaway one.
 */
function collectCompacting(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  setFlagsFromString('--compact-on-every-full-gc');
  try {
    gc();
  } finally {
    setFlagsFromString('--no-compact-on-every-full-gc');
  }
}

type Rss = { total: number; anon: number };

/** The process's RSS before and after `work`. */
function measured(work: () => void): { before: Rss; after: Rss } {
  const before = rssMiB();
  work();
  return { before, after: rssMiB() };
}

function rssMiB(): Rss {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  return { total: Math.round(kib('VmRSS') / 102.4) / 10, anon: Math.round(kib('RssAnon') / 102.4) / 10 };
}
