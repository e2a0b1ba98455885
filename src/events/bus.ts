// The daemon's event bus: the supervisor publishes, the event stream, the
// hooks and fatal_action listen. One bus per daemon, passed to whoever needs
// it (no global a test must clear). An event is built only when someone
// listens: publish takes a function that makes it, so a daemon with no
// follower and no hook pays one size check per transition.
import type { TaskmasterEvent } from './event';

export type EventListener = (event: TaskmasterEvent) => void;

/** What a listener's throw is reported to; the other listeners still get the event. */
export type ListenerFailure = (err: Error, event: TaskmasterEvent) => void;

export class EventBus {
  private readonly listeners = new Set<EventListener>();

  constructor(private readonly onListenerError: ListenerFailure = () => undefined) {}

  get listening(): boolean {
    return this.listeners.size > 0;
  }

  /** Returns the unsubscribe. */
  subscribe(listener: EventListener): () => void {
    // Wrapped, so the same function subscribed twice is two subscriptions, each removed by its own unsubscribe.
    const own: EventListener = (e) => listener(e);
    this.listeners.add(own);
    return () => void this.listeners.delete(own);
  }

  publish(make: () => TaskmasterEvent): void {
    if (this.listeners.size === 0) return;
    const event = make();
    // A copy: a listener may unsubscribe (or subscribe another) while it is told.
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (err) {
        this.onListenerError(err as Error, event);
      }
    }
  }
}
