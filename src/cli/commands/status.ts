import type { ProcessStatus } from '../../protocol/messages';
import { EXIT } from '../exit-codes';
import type { Command } from './types';

const STATE_WIDTH = 10; // the longest state, STARTING/STOPPING, and two blanks

/** supervisorctl's layout: name, state, description, in columns. */
export function statusTable(rows: readonly ProcessStatus[]): string {
  const nameWidth = Math.max(0, ...rows.map((r) => r.name.length)) + 3;
  return rows
    .map((r) => `${r.name.padEnd(nameWidth)}${r.state.padEnd(STATE_WIDTH)}${r.description}`.trimEnd())
    .join('\n');
}

export const status: Command = {
  name: 'status',
  usage: 'status [NAME…]',
  summary: 'show the state of all processes, or of the named ones',
  positionals: [{ name: 'NAME', complete: 'process', required: false, repeat: true }],
  async run({ positionals }, ctx) {
    const rows = await (await ctx.client()).call({ cmd: 'status', names: positionals });
    ctx.emit(rows, statusTable(rows));
    return rows.every((r) => r.state === 'RUNNING') ? EXIT.OK : EXIT.NOT_RUNNING;
  },
};
