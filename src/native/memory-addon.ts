// The daemon's memory addon (src/native/memory.c). Loaded on first use, by
// the daemon only. A build without a C compiler carries an empty file in its
// place: the daemon then keeps its executable's pages mapped.
import { join } from 'node:path';
import { loadNativeAddon } from './load';

export const MEMORY_ASSET = 'taskmaster-memory.node';

export interface MemoryAddon {
  /**
   * Drops the page-table entries of the executable's clean read-only
   * mappings (the pages stay in the page cache). Returns the size of the
   * mappings so advised, in bytes, not what was resident in them.
   */
  releaseExecutablePages(): number;
}

let loaded: { addon: MemoryAddon | null; why: string | null } | null = null;

function load(): { addon: MemoryAddon | null; why: string | null } {
  try {
    // Outside the single executable the daemon bundle runs from dist/, beside the built addon.
    return { addon: loadNativeAddon(MEMORY_ASSET, 'memory', () => join(__dirname, MEMORY_ASSET)) as MemoryAddon, why: null };
  } catch (err) {
    return { addon: null, why: (err as Error).message };
  }
}

/** The addon, or the reason it cannot be loaded. */
export function memoryAddon(): { addon: MemoryAddon | null; why: string | null } {
  loaded ??= load();
  return loaded;
}
