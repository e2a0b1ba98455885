// The kernel's pipe limits as they apply to the daemon now: the fs.pipe-*
// sysctls and the daemon's effective capabilities, read from /proc
// (pipe-budget.ts decides with them).
import { readFileSync } from 'node:fs';
import { type PipeLimits, pipeLimitsOf } from './pipe-budget';

// The kernel's own defaults, for a file that cannot be read (on Linux it always can).
const DEFAULT_MAX_SIZE = 1 << 20;
const DEFAULT_USER_PAGES_SOFT = 16384;

let cached: { euid: number; pageSize: number; limits: PipeLimits } | null = null;

/**
 * The limits for a pipe made now. Read again whenever the effective uid has
 * changed: taskmasterd.user's drop from root (setuid) clears every
 * capability, and nothing else in the daemon changes them. A sysctl that an
 * administrator changes while the daemon runs is seen after its restart.
 */
export function pipeLimits(pageSize: number): PipeLimits {
  const euid = process.geteuid?.() ?? -1;
  if (cached === null || cached.euid !== euid || cached.pageSize !== pageSize) {
    const sysctls = {
      maxSize: sysctl('pipe-max-size') ?? DEFAULT_MAX_SIZE,
      userPagesSoft: sysctl('pipe-user-pages-soft') ?? DEFAULT_USER_PAGES_SOFT,
      userPagesHard: sysctl('pipe-user-pages-hard') ?? 0,
    };
    cached = { euid, pageSize, limits: pipeLimitsOf(sysctls, effectiveCapabilities(), pageSize) };
  }
  return cached.limits;
}

function sysctl(name: string): number | null {
  try {
    const n = Number(readFileSync(`/proc/sys/fs/${name}`, 'utf8').trim());
    return Number.isSafeInteger(n) && n >= 0 ? n : null;
  } catch {
    return null;
  }
}

/** The effective capability set; none when it cannot be read, so that the limits are obeyed. */
function effectiveCapabilities(): bigint {
  try {
    const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return hex === undefined ? 0n : BigInt(`0x${hex}`);
  } catch {
    return 0n;
  }
}
