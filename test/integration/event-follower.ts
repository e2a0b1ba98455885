// `taskmasterctl events` run as a client of the test's daemon: what it has
// printed so far, and the events in it, for tests that wait on the stream.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import type { TaskmasterEvent } from '../../src/events/event';
import { type Daemon, TASKMASTERCTL } from './harness';

export interface Follower {
  proc: ChildProcessWithoutNullStreams;
  stdout: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function follow(d: Daemon, ...args: string[]): Follower {
  const proc = spawn(TASKMASTERCTL, ['-s', d.socket, ...args]);
  let out = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.once('exit', (code, signal) => r({ code, signal })));
  return { proc, stdout: () => out, exited };
}

/** The events of `events --json` output: one JSON object a line. */
export const eventsIn = (text: string): TaskmasterEvent[] =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as TaskmasterEvent);
