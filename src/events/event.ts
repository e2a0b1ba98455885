// What happens in the daemon, as the event stream (`taskmasterctl events`),
// the hooks and the remote API carry it: plain JSON, the same object
// everywhere, so a hook's stdin, a webhook's body and a line of
// `events --json` can be read by one parser. Times are wall-clock ISO 8601.
import type { StateKind } from '../core/states';

/** How a child ended, as the state machine saw it. */
export interface ExitDetail {
  code: number | null; // null when killed by a signal
  signal: string | null; // 'SIGKILL'
  /** Listed in the program's exitcodes (and not killed). */
  expected: boolean;
}

/** A process changed state: one event per transition of the core. */
export interface StateEvent {
  type: 'state';
  time: string;
  program: string;
  process: string;
  from: StateKind;
  to: StateKind;
  reason: string;
  /** The child's pid in the new state, or the one that just ended; null when there is none. */
  pid: number | null;
  /** Set when the transition came from the child's exit. */
  exit: ExitDetail | null;
}

/** A child ended (on its own, stopped, or killed); the state events it caused follow. */
export interface ExitEvent extends ExitDetail {
  type: 'exit';
  time: string;
  program: string;
  process: string;
  pid: number | null;
}

/** A reload was applied: programs by what it did to them. */
export interface ReloadEvent {
  type: 'reload';
  time: string;
  added: string[];
  removed: string[];
  restarted: string[];
  updated: string[];
}

export type TaskmasterEvent = StateEvent | ExitEvent | ReloadEvent;
export type EventType = TaskmasterEvent['type'];

/** The process an event is about; null for the daemon's own (reload). */
export function processOf(event: TaskmasterEvent): string | null {
  switch (event.type) {
    case 'state':
    case 'exit':
      return event.process;
    case 'reload':
      return null;
    default:
      return unknownEvent(event);
  }
}

/** One line for people: what `taskmasterctl events` prints and the hooks' log lines name. */
export function describeEvent(event: TaskmasterEvent): string {
  switch (event.type) {
    case 'state':
      return `${event.process}: ${event.from} → ${event.to} (${event.reason})${event.pid === null ? '' : ` pid ${event.pid}`}`;
    case 'exit': {
      const how = event.signal !== null ? `terminated by ${event.signal}` : `exit status ${event.code}`;
      return `${event.process}: exited, ${how} (${event.expected ? 'expected' : 'not expected'})${event.pid === null ? '' : ` pid ${event.pid}`}`;
    }
    case 'reload': {
      const parts = (['added', 'removed', 'restarted', 'updated'] as const).filter((k) => event[k].length > 0).map((k) => `${k} [${event[k].join(', ')}]`);
      return `reload: ${parts.length === 0 ? 'nothing changed' : parts.join(' ')}`;
    }
    default:
      return unknownEvent(event);
  }
}

export function unknownEvent(event: never): never {
  throw new Error(`unknown event ${JSON.stringify(event)}`);
}
