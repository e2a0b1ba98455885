// The system limits that bound how many programs a daemon can run here, read
// once for the scale workload's notes: a size past one of them fails, and the
// notes must say which limit it met.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

// bash: dash's ulimit has no -u.
const sh = (cmd: string): string => execFileSync('bash', ['-c', cmd], { encoding: 'utf8' }).trim();
const read = (file: string): string => {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return 'unreadable';
  }
};

/** The bench's own hard RLIMIT_NOFILE: what a daemon can be given without CAP_SYS_RESOURCE. */
export const hardNofile = (): number => {
  const v = sh('ulimit -Hn');
  return v === 'unlimited' ? Infinity : Number(v);
};

/** The cgroup v2 pids.max of the bench's own cgroup, 'max', or why it is unknown. */
function cgroupPidsMax(): string {
  const line = read('/proc/self/cgroup').split('\n').find((l) => l.startsWith('0::'));
  return line ? read(`/sys/fs/cgroup${line.slice(3)}/pids.max`) : 'no cgroup v2';
}

/** One line for the notes: the limits on processes and files that apply to every daemon here. */
export function limitsNote(nofile: number): string {
  return (
    `limits: RLIMIT_NOFILE ${nofile} for every daemon (soft = hard); ` +
    `kernel.pid_max ${read('/proc/sys/kernel/pid_max')}, kernel.threads-max ${read('/proc/sys/kernel/threads-max')}, ` +
    `ulimit -u ${sh('ulimit -u')}, cgroup pids.max ${cgroupPidsMax()}, fs.file-max ${read('/proc/sys/fs/file-max')}`
  );
}
