// What the daemon does on an event because the config says so: the hooks of
// the program and of the daemon (on_exit, on_fatal, on_state), and
// fatal_action. Subscribed to the bus only while the config asks for any of
// it, so a config without hooks builds no events at all.
import type { HookSpec } from '../config/hook-readers';
import type { Config, ProgramConfig } from '../config/types';
import type { SupervisorLog } from '../supervisor/log';
import type { EventBus } from '../events/bus';
import { processOf, type TaskmasterEvent, unknownEvent } from '../events/event';
import type { HookRunner } from './hook-runner';

/** The daemon's exit status after fatal_action: shutdown (README), apart from 1 (bad config) and 70 (internal error). */
export const FATAL_EXIT_CODE = 3;

const HOOK_KEYS = ['on_exit', 'on_fatal', 'on_state'] as const;
type HookKey = (typeof HOOK_KEYS)[number];

export interface ReactionDeps {
  bus: EventBus;
  /** The config in force (a reload changes it): the daemon's hooks, and whether any hook is set. */
  config: () => Config;
  /** A process's program as its slot has it: current during a reload too, when config() is not yet. */
  programOf: (process: string) => ProgramConfig | undefined;
  runner: Pick<HookRunner, 'submit'>;
  /** Stops every program and exits with `code`. */
  shutdown: (why: string, code: number) => void;
  log: SupervisorLog;
}

export class Reactions {
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly deps: ReactionDeps) {}

  /** At start and after each reload: listens while the config asks for a hook or a fatal_action. */
  refresh(): void {
    const wanted = asksForEvents(this.deps.config());
    if (wanted) this.listen();
    if (!wanted && this.unsubscribe !== null) {
      this.unsubscribe();
      this.unsubscribe = null;
    }
  }

  /**
   * Before a reload applies `next`: listening from then on if it asks for
   * hooks, so that a program it adds or restarts has its hooks from its
   * first event. Stopping waits for refresh(), once the reload is done.
   */
  listenFor(next: Config): void {
    if (asksForEvents(next)) this.listen();
  }

  private listen(): void {
    this.unsubscribe ??= this.deps.bus.subscribe((e) => this.react(e));
  }

  private react(event: TaskmasterEvent): void {
    const { daemon } = this.deps.config();
    const process = processOf(event);
    const program = process === null ? undefined : this.deps.programOf(process);
    for (const key of hookKeysFor(event)) {
      // The program's own hook as its user; the daemon's as the daemon's.
      if (program?.[key]) this.run(`${key} of ${program.name}`, program[key]!, event, program.user);
      if (daemon[key]) this.run(`${key} of taskmasterd`, daemon[key]!, event, null);
    }
    if (event.type === 'state' && event.to === 'FATAL' && (program?.fatal_action === 'shutdown' || daemon.fatal_action === 'shutdown')) {
      const whose = program?.fatal_action === 'shutdown' ? event.program : 'taskmasterd';
      const why = `${event.process} went FATAL (${event.reason}) and ${whose} has fatal_action: shutdown`;
      this.deps.log.fatal({ process: event.process }, `${why}: stopping every program, then exiting ${FATAL_EXIT_CODE}`);
      this.deps.shutdown(why, FATAL_EXIT_CODE);
    }
  }

  private run(label: string, hook: HookSpec, event: TaskmasterEvent, user: string | null): void {
    this.deps.runner.submit({ label, hook, event, user });
  }
}

function hookKeysFor(event: TaskmasterEvent): readonly HookKey[] {
  switch (event.type) {
    case 'exit':
      return ['on_exit'];
    case 'state':
      return event.to === 'FATAL' ? ['on_state', 'on_fatal'] : ['on_state'];
    case 'reload':
    case 'health': // for followers of `events`: the hook keys are about exits and states
      return [];
    default:
      return unknownEvent(event);
  }
}

function asksForEvents(config: Config): boolean {
  const asks = (s: Pick<ProgramConfig, HookKey | 'fatal_action'>): boolean => s.fatal_action === 'shutdown' || HOOK_KEYS.some((k) => s[k] !== null);
  return asks(config.daemon) || config.programs.some(asks);
}
