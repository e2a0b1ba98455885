// The single executable's main script: only the choice of role. The CLI and
// the daemon are bundles of their own, loaded for their role (asset-bundle.ts).
import { loadBundle } from './asset-bundle';
import DAEMON_V8_FLAGS from './daemon-v8-flags.json';
import { type CtlModule, type DaemonModule, main } from './main';

void main({
  daemon: () => {
    // Before the bundle loads: V8 arms its memory reducer during that load,
    // and the bundle's code cache was made under these same flags (V8 refuses
    // a cache made under others). Why these: src/daemon/settle.ts. node:v8 is
    // required here, not imported: the CLI, whose start is timed, never loads it.
    const { setFlagsFromString } = require('node:v8') as typeof import('node:v8');
    for (const flag of DAEMON_V8_FLAGS.whileStarting) setFlagsFromString(flag);
    return loadBundle<DaemonModule>('taskmasterd.js');
  },
  ctl: () => loadBundle<CtlModule>('taskmasterctl.js'),
});
