import { HealthState, ProcessState, type ProcessStatus } from '../../gen/taskmaster/v1/control_pb';
import { EXIT } from '../exit-codes';
import { longHeading, longRow, nameWidthOf } from '../stats-columns';
import { healthName, stateName, statusView } from '../views';
import type { Command } from './types';

const STATE_WIDTH = 10; // the longest state, STARTING/STOPPING, and two blanks

/** supervisorctl's layout: name, state, description, in columns. */
export function statusTable(rows: readonly ProcessStatus[]): string {
  const nameWidth = Math.max(0, ...rows.map((r) => r.name.length)) + 3;
  return rows
    .map((r) => `${r.name.padEnd(nameWidth)}${stateName(r.state).padEnd(STATE_WIDTH)}${r.description}${healthSuffix(r)}`.trimEnd())
    .join('\n');
}

/** After the description of a process with a healthcheck: `, healthy`, `, unhealthy (HTTP 503)`, `, health starting`. */
export function healthSuffix(r: ProcessStatus): string {
  if (r.health === undefined) return '';
  const state = healthName(r.health.state);
  if (r.health.state === HealthState.UNHEALTHY) return `, unhealthy (${r.health.lastFailure ?? 'no reason'})`;
  return state === 'starting' ? ', health starting' : `, ${state}`;
}

/** status -l: a heading, then each process with its resource use, restarts and last exit. */
export function longStatusTable(rows: readonly ProcessStatus[]): string {
  const width = nameWidthOf(rows);
  return [longHeading(width), ...rows.map((r) => longRow(r, width))].join('\n');
}

export const status: Command = {
  name: 'status',
  usage: 'status [-l] [NAME…]',
  summary: 'show the state of all processes, or of the named ones (-l: with CPU, memory, restarts, last exit)',
  flags: [{ flag: '-l', long: '--long', key: 'long' }],
  positionals: [{ name: 'NAME', complete: 'process', required: false, repeat: true }],
  async run({ flags, positionals }, ctx) {
    const long = flags.long === true;
    const { processes } = await (await ctx.caller()).call('status', { names: positionals, stats: long });
    ctx.emit(processes.map(statusView), long ? longStatusTable(processes) : statusTable(processes));
    return processes.every((r) => r.state === ProcessState.RUNNING) ? EXIT.OK : EXIT.NOT_RUNNING;
  },
};
