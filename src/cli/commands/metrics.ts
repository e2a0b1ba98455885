// taskmasterctl metrics: the daemon's metrics in Prometheus's text format,
// as GET /metrics on the remote API serves them (local socket, or -H).
import { EXIT } from '../exit-codes';
import type { Command } from './types';

export const metrics: Command = {
  name: 'metrics',
  usage: 'metrics',
  summary: "print taskmasterd's metrics in Prometheus's text format",
  positionals: [],
  async run(_args, ctx) {
    const { text, contentType } = await (await ctx.caller()).call('metrics', {});
    // The text ends with its own newline; emit adds one.
    ctx.emit({ text, content_type: contentType }, text.replace(/\n$/, ''));
    return EXIT.OK;
  },
};
