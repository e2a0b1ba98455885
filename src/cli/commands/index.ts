// The command table, in the order help lists it.
import { restart, signal, start, stop } from './actions';
import { config } from './config';
import { exit, lookup, makeHelp } from './help';
import { pid, shutdown, version } from './misc';
import { kill, logs, ps, run } from './jobs';
import { reload } from './reload';
import { status } from './status';
import { maintail, tail } from './tail';
import { top } from './top';
import type { Command } from './types';

export const COMMANDS: readonly Command[] = [
  status, top, start, stop, restart, signal, reload, config, tail, maintail, pid, shutdown, version,
  run, logs, ps, kill,
  makeHelp(() => COMMANDS),
  exit,
];

export function findCommand(word: string): Command {
  return lookup(COMMANDS, word);
}
