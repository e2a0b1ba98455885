// Runs hooks off the supervision path: each is queued and run
// asynchronously, a few at a time, and whatever it does — fail, hang, answer
// 500 — ends in a line of the daemon's log, never in a wait of the
// supervisor. The OS is reached through HookEdges (hook-edges.ts), so the
// retry timing is tested with fakes.
import type { HookSpec } from '../config/hook-readers';
import type { SupervisorLog } from '../supervisor/log';
import type { TaskmasterEvent } from '../events/event';
import { describeEvent } from '../events/event';

export interface HookJob {
  /** For the log: `on_exit of web`, `on_fatal of taskmasterd`. */
  label: string;
  hook: HookSpec;
  event: TaskmasterEvent;
  /** An exec hook runs as this user (a program's `user`); null: as the daemon's. */
  user: string | null;
}

/** Each resolves null on success or a short reason ("exit status 1", "HTTP 503", "timed out after 2s"); none rejects. */
export interface HookEdges {
  exec(argv: readonly string[], input: string, opts: { timeoutMs: number; user: string | null; env: Record<string, string> }): Promise<string | null>;
  post(url: string, body: string, timeoutMs: number): Promise<string | null>;
  sleep(ms: number): Promise<void>;
}

export interface HookLimits {
  /** Hooks running at once; more wait their turn. */
  concurrency: number;
  /** Hooks waiting; past it new ones are dropped (and that said, once per episode). */
  queue: number;
}

export const HOOK_LIMITS: HookLimits = { concurrency: 8, queue: 1000 };
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

/** The wait before retry `n` (0-based): 1 s, 2 s, 4 s…, at most 30 s. */
export function retryDelayMs(n: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** n);
}

/** A URL as it may be logged: no userinfo, no query, no fragment (where tokens hide). */
export function loggableUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}

export class HookRunner {
  private running = 0;
  private readonly waiting: HookJob[] = [];
  private dropping = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly edges: HookEdges,
    private readonly log: SupervisorLog,
    private readonly limits: HookLimits = HOOK_LIMITS,
  ) {}

  /** Queues the hook; returns at once. */
  submit(job: HookJob): void {
    if (this.running < this.limits.concurrency) {
      this.start(job);
    } else if (this.waiting.length < this.limits.queue) {
      this.waiting.push(job);
    } else if (!this.dropping) {
      this.dropping = true;
      this.log.error({ hook: job.label }, `hooks: ${this.limits.queue} waiting already; dropping new ones until the queue drains (first dropped: ${job.label})`);
    }
  }

  /** Resolves when no hook runs or waits. */
  idle(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private start(job: HookJob): void {
    this.running += 1;
    this.runOne(job)
      .catch((err: Error) => this.log.error({ hook: job.label, err: err.message }, `BUG: hook ${job.label}: ${err.message}`))
      .finally(() => {
        this.running -= 1;
        const next = this.waiting.shift();
        if (next !== undefined) return this.start(next);
        if (this.running > 0) return;
        this.dropping = false;
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const resolve of waiters) resolve();
      });
  }

  private async runOne(job: HookJob): Promise<void> {
    const { hook, event, label } = job;
    const body = JSON.stringify(event);
    const what = describeEvent(event);
    switch (hook.kind) {
      case 'exec': {
        const env = hookEnv(event);
        const why = await this.edges.exec(hook.argv, body, { timeoutMs: hook.timeout * 1000, user: job.user, env });
        if (why === null) this.log.debug({ hook: label }, `hook ${label} ran (${hook.argv[0]}) for: ${what}`);
        else this.log.warn({ hook: label, why }, `hook ${label} (${hook.argv[0]}) failed: ${why}; event: ${what}`);
        return;
      }
      case 'webhook': {
        const url = loggableUrl(hook.url);
        for (let attempt = 0; ; attempt++) {
          const why = await this.edges.post(hook.url, body, hook.timeout * 1000);
          if (why === null) {
            this.log.debug({ hook: label, url }, `hook ${label} posted to ${url} for: ${what}`);
            return;
          }
          if (attempt >= hook.retries) {
            this.log.error({ hook: label, url, why }, `hook ${label} to ${url} failed: ${why}; gave up after ${attempt + 1} attempt(s); event: ${what}`);
            return;
          }
          const delay = retryDelayMs(attempt);
          this.log.warn({ hook: label, url, why }, `hook ${label} to ${url} failed: ${why}; retry ${attempt + 1} of ${hook.retries} in ${delay / 1000}s`);
          await this.edges.sleep(delay);
        }
      }
      default:
        return unknownHook(hook);
    }
  }
}

/** What an exec hook finds in its environment besides the JSON on stdin, for a script that needs no JSON parser. */
function hookEnv(event: TaskmasterEvent): Record<string, string> {
  const env: Record<string, string> = { TASKMASTER_EVENT: event.type };
  if (event.type === 'state' || event.type === 'exit') {
    env.TASKMASTER_PROGRAM_NAME = event.program;
    env.TASKMASTER_PROCESS_NAME = event.process;
  }
  if (event.type === 'state') {
    env.TASKMASTER_FROM_STATE = event.from;
    env.TASKMASTER_STATE = event.to;
  }
  return env;
}

function unknownHook(hook: never): never {
  throw new Error(`unknown hook ${JSON.stringify(hook)}`);
}
