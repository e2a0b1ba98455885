// Health checks while RUNNING, as pure decisions: the edge (src/health/)
// runs a probe every `interval` and hands its result here with the time;
// this says what the result means — still healthy, now unhealthy, recovered
// — and whether the process must be restarted. No I/O, no clock of its own.

/** starting: no probe has passed yet in this run (and `retries` failures have not been counted). */
export type HealthState = 'starting' | 'healthy' | 'unhealthy';

/** One run's health: made afresh each time the process enters RUNNING. */
export interface HealthRecord {
  state: HealthState;
  /** Failures in a row that count toward `retries` (those within start_period do not). */
  failures: number;
  /** The last probe failure's reason, counted or not ("HTTP 503"); kept after a recovery. */
  lastFailure: string | null;
  /** Monotonic ms when the run entered RUNNING: start_period is measured from here. */
  runStartedAt: number;
}

export interface HealthPolicy {
  /** Counted failures in a row that make the process unhealthy; >= 1. */
  retries: number;
  startPeriodMs: number;
  /** restart: the process is restarted when it turns unhealthy; mark: only shown. */
  action: 'restart' | 'mark';
}

/** What one probe result changed: `healthy` is the first pass of a run, `recovered` a pass after unhealthy. */
export type HealthChange = 'none' | 'healthy' | 'unhealthy' | 'recovered';

export interface HealthVerdict {
  record: HealthRecord;
  change: HealthChange;
  /** Set when the process must be restarted: the reason, for the transition and the log. */
  restart: string | null;
}

export function newHealth(now: number): HealthRecord {
  return { state: 'starting', failures: 0, lastFailure: null, runStartedAt: now };
}

/** `failure`: null when the probe passed, else its reason ("connection refused"). */
export function judgeProbe(rec: HealthRecord, failure: string | null, now: number, policy: HealthPolicy): HealthVerdict {
  if (failure === null) {
    const record: HealthRecord = { ...rec, state: 'healthy', failures: 0 };
    const change = rec.state === 'starting' ? 'healthy' : rec.state === 'unhealthy' ? 'recovered' : 'none';
    return { record, change, restart: null };
  }
  // As Docker's start period: a program still warming up may fail without
  // it counting, until its first pass; after that every failure counts.
  if (rec.state === 'starting' && now - rec.runStartedAt < policy.startPeriodMs) {
    return { record: { ...rec, lastFailure: failure }, change: 'none', restart: null };
  }
  const failures = rec.failures + 1;
  const record: HealthRecord = { ...rec, failures, lastFailure: failure };
  if (rec.state === 'unhealthy' || failures < policy.retries) return { record, change: 'none', restart: null };
  record.state = 'unhealthy';
  const restart = policy.action === 'restart' ? failureSummary(failures, failure) : null;
  return { record, change: 'unhealthy', restart };
}

/** "health check failed 3 times: HTTP 503": the one wording for the log and the restart's transition. */
export function failureSummary(failures: number, reason: string): string {
  return `health check failed ${failures} time${failures === 1 ? '' : 's'}: ${reason}`;
}
