// The single executable's main script: only the choice of role. The CLI and
// the daemon are bundles of their own, loaded for their role (asset-bundle.ts).
import { loadBundle } from './asset-bundle';
import { type CtlModule, type DaemonModule, main } from './main';

void main({
  daemon: () => loadBundle<DaemonModule>('taskmasterd.js'),
  ctl: () => loadBundle<CtlModule>('taskmasterctl.js'),
});
