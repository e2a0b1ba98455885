// The command table, in the order help lists it.
import { detach, restart, signal, start, stop } from './actions';
import { config } from './config';
import { events } from './events';
import { exit, lookup, makeHelp } from './help';
import { fg } from './fg';
import { metrics } from './metrics';
import { http } from './http';
import { pid, shutdown, version } from './misc';
import { kill, logs, ps, run } from './jobs';
import { reload, reread } from './reload';
import { avail } from './avail';
import { status } from './status';
import { maintail, tail } from './tail';
import { token } from './token';
import { top } from './top';
import type { Command } from './types';

export const COMMANDS: readonly Command[] = [
  status,
  top,
  start,
  stop,
  restart,
  detach,
  signal,
  reload,
  reread,
  avail,
  config,
  tail,
  maintail,
  events,
  fg,
  http,
  pid,
  shutdown,
  version,
  metrics,
  run, logs, ps, kill,
  token,
  makeHelp(() => COMMANDS),
  exit,
];

export function findCommand(word: string): Command {
  return lookup(COMMANDS, word);
}
