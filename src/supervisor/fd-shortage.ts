// Spawns that fail for want of file descriptors. Each running program holds
// FDS_PER_PROGRAM of the daemon's, so thousands of programs reach the limit
// of open files, and then every spawn fails the same way: one line saying
// which limit to raise is worth more than one line per process per retry.
// (Each process's status still says why it is not running.)
import { readFileSync } from 'node:fs';
import type { SupervisorLog } from './log';

/** Its two output pipes, its pidfd, and its stdout and stderr log files. */
export const FDS_PER_PROGRAM = 5;

/** The daemon's soft limit of open files (Node raised it to the hard one at start); null if unreadable. */
export function openFilesLimit(readLimits: () => string = () => readFileSync('/proc/self/limits', 'utf8')): number | null {
  try {
    const line = /^Max open files\s+(\d+|unlimited)/m.exec(readLimits());
    return line?.[1] === undefined || line[1] === 'unlimited' ? null : Number(line[1]);
  } catch {
    return null;
  }
}

export class FdShortage {
  // From the first spawn failed for want of descriptors until one succeeds.
  private short = false;
  private count = 0;

  constructor(
    private readonly log: SupervisorLog,
    private readonly limit: () => number | null = openFilesLimit,
  ) {}

  /**
   * `what` ("cannot start web") failed with errno `code`: true when that is a
   * shortage of descriptors, said once per episode here, so the caller need
   * not log it.
   */
  failed(process: string, what: string, code: string | undefined): boolean {
    if (code !== 'EMFILE' && code !== 'ENFILE') return false;
    this.count += 1;
    if (this.short) return true;
    this.short = true;
    this.log.error({ process, code }, shortageMessage(what, code, this.limit()));
    return true;
  }

  /** A spawn succeeded: descriptors are to be had again. */
  spawned(): void {
    if (!this.short) return;
    const n = this.count;
    this.log.warn({ failed: n }, `spawning works again; ${n} spawn${n === 1 ? '' : 's'} or log opening${n === 1 ? '' : 's'} failed for want of file descriptors`);
    this.short = false;
    this.count = 0;
  }
}

function shortageMessage(failed: string, code: 'EMFILE' | 'ENFILE', limit: number | null): string {
  const what = `${failed}: out of file descriptors (${code})`;
  const later = "further failures for this reason are not logged one by one (each process's status says why it is not running)";
  if (code === 'ENFILE') return `${what}: the system's table of open files is full; raise fs.file-max (sysctl); ${later}`;
  const programs = limit === null ? '' : ` (room for about ${Math.floor(limit / FDS_PER_PROGRAM)} programs)`;
  return (
    `${what}: taskmasterd may hold ${limit ?? 'a limited number of'} open files${programs} and each running program holds ${FDS_PER_PROGRAM} ` +
    `(two output pipes, a pidfd, two log files); raise the limit of open files: LimitNOFILE= in the systemd unit ` +
    `(systemctl edit taskmaster), or ulimit -Hn before starting taskmasterd; ${later}`
  );
}
