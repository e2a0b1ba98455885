// reload (and its supervisorctl name, update), and reread: the same diff of
// the config file against what runs, applied or only shown.
import type { ReloadResponse } from '../../gen/taskmaster/v1/control_pb';
import { EXIT } from '../exit-codes';
import { reloadView } from '../views';
import type { Command } from './types';

const SHOWN = ['added', 'removed', 'restarted', 'updated'] as const;

export function diffText(diff: ReloadResponse): string {
  const lines = SHOWN.filter((group) => diff[group].length > 0).map((group) => `${group}: ${diff[group].join(', ')}`);
  return lines.length > 0 ? lines.join('\n') : 'no changes';
}

export const reload: Command = {
  name: 'reload',
  aliases: ['update'],
  usage: 'reload',
  summary: 're-read the config and apply the changes',
  positionals: [],
  async run(_args, ctx) {
    // EBADCONFIG is thrown from here and rendered by the runner: the issues on stderr, exit 1.
    const diff = await (await ctx.caller()).call('reload', {});
    ctx.emit(reloadView(diff), diffText(diff));
    return EXIT.OK;
  },
};

export const reread: Command = {
  name: 'reread',
  usage: 'reread',
  summary: 'show what reload would change, changing nothing',
  positionals: [],
  async run(_args, ctx) {
    const diff = await (await ctx.caller()).call('reload', { dryRun: true });
    ctx.emit(reloadView(diff), diffText(diff));
    return EXIT.OK;
  },
};
