// The job commands: run, logs, ps, kill. Their metadata is here, for parsing,
// help and completion; their work (jobs-run.ts, jobs-show.ts) loads when one
// runs, as a bundle of its own in the single executable (packaging/build.mjs):
// it brings protobuf's runtime, which the other commands do without.
import { LIMIT_KEYS } from '../../cgroups/limits';
import type { Command } from './types';

const ID = { name: 'ID', complete: 'none', required: true } as const;

export const run: Command = {
  name: 'run',
  usage: 'run [-f] [-e K=V]… [-C DIR] [--memory-max 512M] [--cpu-max 50%] [--pids-max N]… -- CMD [ARGS…]',
  summary: "start a job and print its id; -f streams its output and exits with its code (Ctrl-C kills it); limits as in the config",
  flags: [
    { flag: '-f', long: '--follow', key: 'follow' },
    { flag: '-e', long: '--env', key: 'env', value: 'string', repeat: true },
    { flag: '-C', long: '--dir', key: 'dir', value: 'string' },
    // One per cgroup limit, named as in the config: --memory-max, --cpu-max…
    ...LIMIT_KEYS.map((key) => ({ long: `--${key.replace('_', '-')}`, key, value: 'string' as const })),
  ],
  positionals: [{ name: 'CMD', complete: 'none', required: true, repeat: true }],
  passThrough: true,
  ownsInterrupt: true,
  async run(args, ctx) {
    return (await import('./jobs-bundle')).runJob(args, ctx);
  },
};

export const logs: Command = {
  name: 'logs',
  usage: 'logs [-f] ID',
  summary: "a job's output from its first byte; -f follows it until the job ends",
  flags: [{ flag: '-f', long: '--follow', key: 'follow' }],
  positionals: [ID],
  async run(args, ctx) {
    return (await import('./jobs-bundle')).jobLogs(args, ctx);
  },
};

export const ps: Command = {
  name: 'ps',
  usage: 'ps [ID]',
  summary: 'one job in detail, or a table of your jobs, newest first',
  positionals: [{ ...ID, required: false }],
  async run(args, ctx) {
    return (await import('./jobs-bundle')).psJobs(args, ctx);
  },
};

export const kill: Command = {
  name: 'kill',
  usage: 'kill [-s SIG] ID',
  summary: "signal a job's processes (default: TERM, then KILL after a grace period)",
  flags: [{ flag: '-s', long: '--signal', key: 'signal', value: 'string' }],
  positionals: [ID],
  async run(args, ctx) {
    return (await import('./jobs-bundle')).killJob(args, ctx);
  },
};
