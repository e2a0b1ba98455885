// node-unix-socket's native addon, in place of its own loader (see
// packaging/build.mjs): that one looks for the .node file next to itself,
// which the single executable does not have.
import { loadNativeAddon } from '../native/load';

export const ADDON_ASSET = 'node-unix-socket.node';
const PLATFORM_ADDON = 'node-unix-socket-linux-x64-gnu/node-unix-socket.linux-x64-gnu.node';

// The names node-unix-socket's JS asks its binding for.
interface Binding {
  DgramSocketWrap: unknown;
  SeqpacketSocketWrap: unknown;
  socketNewSoReuseportFd: unknown;
  socketClose: unknown;
  initCleanupHook: unknown;
}
const binding = loadNativeAddon(ADDON_ASSET, 'sd_notify', () => PLATFORM_ADDON) as Binding;
export const { DgramSocketWrap, SeqpacketSocketWrap, socketNewSoReuseportFd, socketClose, initCleanupHook } = binding;
