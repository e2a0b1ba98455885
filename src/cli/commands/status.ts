import { ProcessState, type ProcessStatus } from '../../gen/taskmaster/v1/control_pb';
import { EXIT } from '../exit-codes';
import { stateName, statusView } from '../views';
import type { Command } from './types';

const STATE_WIDTH = 10; // the longest state, STARTING/STOPPING, and two blanks

/** supervisorctl's layout: name, state, description, in columns. */
export function statusTable(rows: readonly ProcessStatus[]): string {
  const nameWidth = Math.max(0, ...rows.map((r) => r.name.length)) + 3;
  return rows
    .map((r) => `${r.name.padEnd(nameWidth)}${stateName(r.state).padEnd(STATE_WIDTH)}${r.description}`.trimEnd())
    .join('\n');
}

export const status: Command = {
  name: 'status',
  usage: 'status [NAME…]',
  summary: 'show the state of all processes, or of the named ones',
  positionals: [{ name: 'NAME', complete: 'process', required: false, repeat: true }],
  async run({ positionals }, ctx) {
    const { processes } = await (await ctx.caller()).call('status', { names: positionals });
    ctx.emit(processes.map(statusView), statusTable(processes));
    return processes.every((r) => r.state === ProcessState.RUNNING) ? EXIT.OK : EXIT.NOT_RUNNING;
  },
};
