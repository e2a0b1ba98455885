// The single executable's main script: only the choice of role. The CLI, the
// daemon and the gateway are bundles of their own, loaded for their role
// (asset-bundle.ts); the drain is small enough to live here.
import { loadBundle } from './asset-bundle';
import { runDrain } from './drain';
import { type CtlModule, type DaemonModule, type GatewayModule, main } from './main';

void main({
  daemon: () => loadBundle<DaemonModule>('taskmasterd.js'),
  ctl: () => loadBundle<CtlModule>('taskmasterctl.js'),
  gateway: () => loadBundle<GatewayModule>('taskmaster-gateway.js'),
  drain: () => ({ runDrain }),
});
