// taskmasterd's command line: validate the config, then serve it.
import { resolve } from 'node:path';
import { formatIssues } from '../config/format';
import { loadConfig } from '../config/load';
import { VERSION } from '../version';
import { checkCgroups, openDaemonCgroups } from '../cgroups/daemon-cgroups';
import { describeSupport, limitRefusalOf } from '../cgroups/detect';
import { spawnAddonMissing } from '../native/spawn-addon';
import { DAEMON_USAGE, parseDaemonArgs } from './args';
import { serve } from './serve';

export async function runDaemon(argv: readonly string[]): Promise<number> {
  const parsed = parseDaemonArgs(argv);
  if (!parsed.ok) {
    process.stderr.write(`taskmasterd: ${parsed.message}\n${DAEMON_USAGE}\n`);
    return 1;
  }
  const { args } = parsed;
  if (args.help) return void process.stdout.write(`${DAEMON_USAGE}\n`), 0;
  if (args.version) return void process.stdout.write(`taskmasterd ${VERSION}\n`), 0;

  const file = resolve(args.config);
  // Before the config is read: a limit setting is refused where cgroups cannot apply it.
  const cgroups = args.check ? { support: checkCgroups(spawnAddonMissing), tree: null } : openDaemonCgroups(spawnAddonMissing);
  const loaded = loadConfig(file, limitRefusalOf(cgroups.support));
  if (loaded.warnings.length > 0) process.stderr.write(`${formatIssues(loaded.warnings)}\n`);
  if (!loaded.ok) {
    process.stderr.write(`${formatIssues(loaded.errors)}\ntaskmasterd: ${file}: ${loaded.errors.length} error(s); nothing started\n`);
    return 1;
  }
  if (args.check) {
    process.stdout.write(`${file}: OK (${loaded.config.programs.length} programs)\n${describeSupport(cgroups.support)}\n`);
    return 0;
  }
  return serve(loaded.config, cgroups);
}
