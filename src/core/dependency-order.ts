// depends_on as decisions, by program: what a start needs started with it,
// when a program held back may start, which programs must be down before
// another stops, and which running ones a stop would leave without what
// they need. Pure: the edge (supervisor/dependency-gate.ts, actions.ts)
// says what the states are and carries the answers out. The config has
// refused cycles already; these functions still end on one.
import type { StateKind } from './states';

export interface DependencyGraph {
  /** What each program depends on directly; programs without depends_on are absent. */
  readonly needs: ReadonlyMap<string, readonly string[]>;
  /** The programs that depend on each one directly. */
  readonly neededBy: ReadonlyMap<string, readonly string[]>;
}

export function dependencyGraph(programs: Iterable<{ name: string; depends_on: readonly string[] }>): DependencyGraph {
  const needs = new Map<string, readonly string[]>();
  const neededBy = new Map<string, string[]>();
  for (const p of programs) {
    if (p.depends_on.length === 0 || needs.has(p.name)) continue;
    needs.set(p.name, p.depends_on);
    for (const dep of p.depends_on) {
      const list = neededBy.get(dep);
      if (list === undefined) neededBy.set(dep, [p.name]);
      else list.push(p.name);
    }
  }
  return { needs, neededBy };
}

/** True when the program depends on another or another depends on it: depends_on orders it, not priority. */
export function inGraph(g: DependencyGraph, program: string): boolean {
  return g.needs.has(program) || g.neededBy.has(program);
}

/** `programs` and everything they need, transitively, each after what it needs. */
export function withNeeds(g: DependencyGraph, programs: Iterable<string>): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  // Depth-first, post-order, without recursion (a long chain must not overflow the stack).
  for (const root of programs) {
    if (seen.has(root)) continue;
    seen.add(root);
    const stack: { name: string; next: number }[] = [{ name: root, next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const deps = g.needs.get(top.name) ?? [];
      if (top.next >= deps.length) {
        order.push(top.name);
        stack.pop();
        continue;
      }
      const dep = deps[top.next++]!;
      if (seen.has(dep)) continue;
      seen.add(dep);
      stack.push({ name: dep, next: 0 });
    }
  }
  return order;
}

/** Every program that depends on one of `programs`, transitively; `programs` themselves left out. */
export function dependentsOf(g: DependencyGraph, programs: Iterable<string>): string[] {
  const start = new Set(programs);
  const seen = new Set<string>(start);
  const found: string[] = [];
  const queue = [...start];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    for (const dependent of g.neededBy.get(name) ?? []) {
      if (seen.has(dependent)) continue;
      seen.add(dependent);
      found.push(dependent);
      queue.push(dependent);
    }
  }
  return found;
}

/** One instance of a program that others need, as the edge sees it. */
export interface InstanceView {
  state: StateKind;
  want: 'up' | 'down';
  /** EXITED with an autorestart due. */
  restartDue: boolean;
  /** STOPPED and held back until what it needs runs: 'waiting' while that may still come, 'blocked' when it cannot. */
  held: 'waiting' | 'blocked' | null;
}

/** How a program looks to those that need it; `shown` says why it is not ready, for people. */
export type Readiness = { kind: 'ready' } | { kind: 'coming'; shown: string } | { kind: 'failed'; shown: string };

/**
 * Ready when every instance is RUNNING. Failed when one is FATAL, or none
 * is on its way up (stopped, exited for good, stopping for good, or held
 * behind a failure of its own): nothing will change that until an
 * operator acts. Otherwise coming.
 */
export function readinessOf(instances: readonly InstanceView[]): Readiness {
  if (instances.length === 0) return { kind: 'failed', shown: 'not configured' };
  const fatal = instances.find((i) => i.state === 'FATAL');
  if (fatal !== undefined) return { kind: 'failed', shown: 'FATAL' };
  const notRunning = instances.filter((i) => i.state !== 'RUNNING');
  if (notRunning.length === 0) return { kind: 'ready' };
  const coming = notRunning.find(onItsWay);
  if (coming !== undefined) return { kind: 'coming', shown: shownState(coming) };
  const stuck = notRunning.find((i) => i.held === 'blocked') ?? notRunning[0]!;
  return { kind: 'failed', shown: shownState(stuck) };
}

function onItsWay(i: InstanceView): boolean {
  switch (i.state) {
    case 'STARTING':
    case 'BACKOFF':
      return true;
    case 'STOPPING':
      return i.want === 'up'; // a restart: up again once down
    case 'EXITED':
      return i.restartDue;
    case 'STOPPED':
      return i.held === 'waiting';
    case 'RUNNING':
    case 'FATAL':
      return false;
  }
}

function shownState(i: InstanceView): string {
  return i.held === null ? i.state : 'itself waiting';
}

export type StartVerdict = { go: true } | { go: false; blocked: boolean; reason: string };

/**
 * Whether a program may start now, given the readiness of each program it
 * needs. Not yet: the reason names every one not ready, "waiting for db
 * (FATAL), cache (STARTING)"; blocked when one has failed, so that a caller
 * waiting on the start can be answered instead of waiting for an operator.
 */
export function startVerdict(needs: readonly { name: string; readiness: Readiness }[]): StartVerdict {
  const missing = needs.filter((n) => n.readiness.kind !== 'ready');
  if (missing.length === 0) return { go: true };
  const shown = missing.map((n) => `${n.name} (${n.readiness.kind === 'ready' ? '' : n.readiness.shown})`);
  return { go: false, blocked: missing.some((n) => n.readiness.kind === 'failed'), reason: `waiting for ${shown.join(', ')}` };
}

/**
 * For each of `stopping`, the others of `stopping` that must be down before
 * it is told to stop: those that depend on it, directly or through programs
 * not being stopped.
 */
export function stopBlockers(g: DependencyGraph, stopping: readonly string[]): Map<string, string[]> {
  const set = new Set(stopping);
  return new Map(stopping.map((name) => [name, dependentsOf(g, [name]).filter((d) => set.has(d))]));
}

/** Those of `candidates` whose blockers are all down: none is in `notDown`. */
export function readyToStop(blockers: ReadonlyMap<string, readonly string[]>, candidates: Iterable<string>, notDown: ReadonlySet<string>): string[] {
  return [...candidates].filter((name) => !(blockers.get(name) ?? []).some((b) => notDown.has(b)));
}

/** The programs, up and not among `stopping`, that need one of `stopping`, transitively: a stop would pull the ground from under them. */
export function upDependents(g: DependencyGraph, stopping: readonly string[], isUp: (program: string) => boolean): string[] {
  const set = new Set(stopping);
  return dependentsOf(g, stopping).filter((d) => !set.has(d) && isUp(d));
}
