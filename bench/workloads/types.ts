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
  note(text: string): void; // a caveat for the results
}

export type Sample = Record<string, number>;

export interface Metric {
  key: string;
  label: string;
  unit: string;
  digits: number;
  /** what the same-run ratio divides by; absent: no ratio */
  ratioTo?: 'limit' | 'supervisord';
  /** taskmaster's target: its text, and the check of its median value or median ratio */
  target?: { text: string; on: 'value' | 'ratio'; ok: (x: number) => boolean };
}

export interface Workload {
  name: string;
  /** The supervisors it applies to; absent: every one. */
  supervisors?: SupervisorName[];
  /** what was measured, in a sentence, and the settings used */
  describe(s: Settings): { measure: string; limit: string; settings: Record<string, unknown> };
  metrics: Metric[];
  measure(sup: Supervisor, ctx: Ctx): Promise<Sample>;
  limit(ctx: Ctx): Promise<Sample>;
}
