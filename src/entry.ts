// The single executable's main script: the CLI, and the daemon role, whose
// code is a second bundle loaded only when it runs (see asset-bundle.ts).
import { loadBundle } from './asset-bundle';
import { type DaemonModule, main } from './main';

void main(() => loadBundle<DaemonModule>('taskmasterd.js'));
