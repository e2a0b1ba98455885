// A workload measures one supervisor, or the limit it is compared with, in a
// fresh temp dir; it returns numbers keyed by metric.
import type { Tools } from '../lib/cc';
import type { Settings } from '../settings';
import type { Supervisor, SupervisorName } from '../supervisors/types';

export interface Ctx {
  dir: string;
  tools: Tools;
  settings: Settings;
  sleepBin: string; // absolute path of sleep(1)
  run: number; // from 0
  note(text: string): void; // a caveat for the results
  /** A part of this sample failed (its metrics are left NaN): listed under the table with its run and column. */
  fail(text: string): void;
}

export type Sample = Record<string, number>;

export interface Metric {
  key: string;
  label: string;
  unit: string;
  digits: number;
  /** what the same-run ratio divides by; absent: no ratio */
  ratioTo?: 'limit' | 'supervisord';
  /**
   * taskmaster's target: its text, and the check of its median value or
   * median ratio, or with `worst`, of its worst sample (the largest: a count
   * of lost lines must be 0 in every run, not in most).
   */
  target?: { text: string; on: 'value' | 'ratio'; ok: (x: number) => boolean; worst?: boolean };
  /** Show every sample, not a median: for counts where one bad run must not hide behind good ones. */
  each?: boolean;
}

export interface Workload {
  name: string;
  /** The supervisors it applies to; absent: every one. */
  supervisors?: SupervisorName[];
  /** what was measured, in a sentence, and the settings used */
  describe(s: Settings): { measure: string; limit: string; settings: Record<string, unknown> };
  metrics: Metric[];
  measure(sup: Supervisor, ctx: Ctx): Promise<Sample>;
  /**
   * Measures every supervisor, and the limit, in one window instead of one
   * after another (idle: each daemon's own CPU counters and pages, which the
   * others, idle too, do not touch); one that failed gets its Error.
   */
  together?(sups: Supervisor[], ctx: Ctx): Promise<Map<Supervisor | 'limit', Sample | Error>>;
  limit(ctx: Ctx): Promise<Sample>;
}
