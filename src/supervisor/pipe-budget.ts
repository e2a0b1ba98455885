// How big a child's output pipe should be. Pure: the limits come in as data
// (src/supervisor/pipe-limits.ts reads them from the kernel).
//
// A chatty program fills a 64 KiB pipe in one write and then waits for the
// daemon; 1 MiB lets it run ahead and lets one read move 1 MiB. But pipe
// pages are counted per user (pipes(7)): once a user's pipes hold more than
// fs.pipe-user-pages-soft pages, the kernel creates that user's new pipes
// with 2 pages and refuses to grow any (EPERM), unless the process has
// CAP_SYS_RESOURCE or CAP_SYS_ADMIN. An unprivileged daemon asking 1 MiB for
// every pipe reaches that after a few dozen programs, and from then on every
// program gets a 2-page pipe. So it grows its pipes only within a share of
// the limit, and once that share is spent it leaves new pipes at the default.

/** What the kernel allows this process, at the moment it makes a pipe. */
export interface PipeLimits {
  pageSize: number;
  /** The largest capacity F_SETPIPE_SZ may ask for: fs.pipe-max-size, or Infinity with CAP_SYS_RESOURCE. */
  maxBytes: number;
  /**
   * The pages all of this user's pipes may hold before new ones shrink and
   * growing fails (the lower set one of fs.pipe-user-pages-soft and -hard),
   * or Infinity: none set, or CAP_SYS_RESOURCE / CAP_SYS_ADMIN.
   */
  userPages: number;
}

/** The kernel's settings (/proc/sys/fs/pipe-*): bytes, pages, pages; 0 turns a user limit off. */
export interface PipeSysctls {
  maxSize: number;
  userPagesSoft: number;
  userPagesHard: number;
}

// Bits of the effective capability set (CapEff in /proc/self/status; linux/capability.h).
const CAP_SYS_ADMIN = 21n;
const CAP_SYS_RESOURCE = 24n;

/**
 * The limits for a process with capabilities `capEff`: CAP_SYS_RESOURCE
 * lifts fs.pipe-max-size, and it or CAP_SYS_ADMIN lifts the per-user pages
 * (fs/pipe.c; the latter is checked for the user limits only).
 */
export function pipeLimitsOf(sysctls: PipeSysctls, capEff: bigint, pageSize: number): PipeLimits {
  const resource = (capEff & (1n << CAP_SYS_RESOURCE)) !== 0n;
  const admin = (capEff & (1n << CAP_SYS_ADMIN)) !== 0n;
  const set = [sysctls.userPagesSoft, sysctls.userPagesHard].filter((n) => n > 0);
  return {
    pageSize,
    maxBytes: resource ? Infinity : sysctls.maxSize,
    userPages: resource || admin || set.length === 0 ? Infinity : Math.min(...set),
  };
}

/** The capacity the daemon wants for a child's pipe. */
export const PIPE_WISH_BYTES = 1 << 20;
/** The kernel's default pipe, in pages (PIPE_DEF_BUFFERS): 64 KiB with 4 KiB pages. */
export const PIPE_DEFAULT_PAGES = 16;
/**
 * The daemon's share of the user's pipe pages: the rest is left to what else
 * runs as that user — its own programs' shell pipelines, first of all.
 */
export const PIPE_BUDGET_SHARE = 0.5;

/**
 * The capacity in bytes to ask F_SETPIPE_SZ for on a new pipe, or 0 to
 * leave it at the kernel's default. `heldPages`: the pages of the pipes the
 * daemon holds open now. The kernel rounds a request up to a power of two
 * pages, so only those are asked for: the largest that fits under both
 * fs.pipe-max-size and what is left of the daemon's share.
 */
export function pipeRequest(limits: PipeLimits, heldPages: number): number {
  const room = Number.isFinite(limits.userPages) ? Math.floor(limits.userPages * PIPE_BUDGET_SHARE) - heldPages : Infinity;
  const most = Math.min(PIPE_WISH_BYTES, limits.maxBytes) / limits.pageSize;
  let pages = PIPE_DEFAULT_PAGES;
  while (pages * 2 <= most && pages * 2 <= room) pages *= 2;
  return pages > PIPE_DEFAULT_PAGES ? pages * limits.pageSize : 0;
}

/** Pages a pipe of `bytes` holds (what the kernel counts against its user). */
export function pipePages(bytes: number, pageSize: number): number {
  return Math.ceil(bytes / pageSize);
}
