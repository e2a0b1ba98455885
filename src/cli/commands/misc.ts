// The small daemon commands: pid, shutdown, version.
import { PROTOCOL_VERSION } from '../../protocol/messages';
import { EXIT } from '../exit-codes';
import { VERSION as CLI_VERSION } from '../../version';
import { pidView, versionView } from '../views';
import type { Command } from './types';

export const pid: Command = {
  name: 'pid',
  usage: 'pid [NAME]',
  summary: "print taskmasterd's pid, or the pids of a program's processes",
  positionals: [{ name: 'NAME', complete: 'process', required: false }],
  async run({ positionals: [name] }, ctx) {
    // Without a name the daemon answers [{ name: 'taskmasterd', pid }].
    const { pids } = await (await ctx.caller()).call('pid', name === undefined ? {} : { name });
    ctx.emit(pids.map(pidView), pids.map((r) => (r.pid === undefined ? `${r.name}: not running` : String(r.pid))).join('\n'));
    return EXIT.OK;
  },
};

export const shutdown: Command = {
  name: 'shutdown',
  usage: 'shutdown',
  summary: 'stop all processes and taskmasterd itself',
  positionals: [],
  async run(_args, ctx) {
    ctx.emit((await (await ctx.caller()).call('shutdown', {}), {}), 'shut down');
    return EXIT.OK;
  },
};

export const version: Command = {
  name: 'version',
  usage: 'version',
  summary: "print taskmasterd's version",
  positionals: [],
  async run(_args, ctx) {
    const daemon = versionView(await (await ctx.caller()).call('version', {}));
    ctx.emit({ daemon, cli: { version: CLI_VERSION, protocol: PROTOCOL_VERSION } }, daemon.version);
    return EXIT.OK;
  },
};
