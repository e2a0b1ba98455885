// node-unix-socket's native addon, in place of its own loader (see
// packaging/build.mjs): that one looks for the .node file next to itself,
// which the single executable does not have.
import { loadNativeAddon } from '../native/load';

// Set by packaging/build.mjs (packaging/unix-socket-prebuilt.cjs), the one
// place that knows which prebuilt fits the machine: the SEA asset that
// carries it, and the package a plain `node` run of the bundle requires.
declare const UNIX_SOCKET_ASSET: string;
declare const UNIX_SOCKET_PACKAGE: string;

// The names node-unix-socket's JS asks its binding for.
interface Binding {
  DgramSocketWrap: unknown;
  SeqpacketSocketWrap: unknown;
  socketNewSoReuseportFd: unknown;
  socketClose: unknown;
  initCleanupHook: unknown;
}
const binding = loadNativeAddon(UNIX_SOCKET_ASSET, 'sd_notify', () => UNIX_SOCKET_PACKAGE) as Binding;
export const { DgramSocketWrap, SeqpacketSocketWrap, socketNewSoReuseportFd, socketClose, initCleanupHook } = binding;
