import { EXIT } from '../exit-codes';
import type { Command } from './types';

export const config: Command = {
  name: 'config',
  usage: 'config NAME',
  summary: 'show the effective config of a program, as JSON',
  positionals: [{ name: 'NAME', complete: 'process', required: true }],
  async run({ positionals: [name] }, ctx) {
    const { programs } = await (await ctx.caller()).call('config', { name: name! });
    ctx.emit(programs, JSON.stringify(programs, null, 2));
    return EXIT.OK;
  },
};
