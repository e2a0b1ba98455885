// The daemon's memory addon (src/native/memory.c). Loaded on first use, by
// the daemon only. A build without a C compiler carries an empty file in its
// place: the daemon then keeps its executable's pages mapped.
import { daemonAddon } from './load';

export const MEMORY_ASSET = 'taskmaster-memory.node';

export interface MemoryAddon {
  /**
   * Drops the page-table entries of the executable's clean read-only
   * mappings (the pages stay in the page cache). Returns the size of the
   * mappings so advised, in bytes, not what was resident in them.
   */
  releaseExecutablePages(): number;
}

/** The addon, or the reason it cannot be loaded; loaded on the first call. */
export const memoryAddon = daemonAddon<MemoryAddon>(MEMORY_ASSET, 'memory');
