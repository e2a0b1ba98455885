// The sizes of every workload, full and smoke, and the settings given to
// every supervisor alike (they are written into the results).
export interface Settings {
  smoke: boolean;
  runs: number;
  /** the same for every supervisor: taskmaster stoptime, supervisord stopwaitsecs, PM2 kill_timeout */
  stoptime_s: number;
  spawn: { programs: number; starttime_s: number };
  idle: { programs: number; starttime_s: number; settle_s: number; seconds: number };
  /** repeats: of the socket round trip; pairs: of CLI status and `node -e 0`, back to back */
  ctl: { programs: number; starttime_s: number; repeats: number; pairs: number };
  clients: { programs: number; starttime_s: number; loops: number; seconds: number; timeout_ms: number };
  logs: { bytes: number; maxbytes: number; backups: number; starttime_s: number; stall_s: number };
  restart: { restarts: number; lifetime_ms: number; starttime_s: number };
  /** in_flight: jobs the client keeps running at once in the burst; job_max_running: the daemon's bound, above it */
  remote: { pairs: number; round_trips: number; stream_bytes: number; jobs: number; in_flight: number; job_max_running: number };
  scale: ScaleSettings;
}

export interface ScaleSettings {
  /** numbers of programs, each program one process; `--sizes` */
  sizes: number[];
  /** runs of this workload, at most the bench's runs: one keeps the full bench within its time at 10,000 programs */
  runs: number;
  starttime_s: number;
  /** PM2 is run up to this size only (its stop alone takes minutes beyond it) */
  pm2_max: number;
  /** timed round trips per status figure; the median is reported */
  repeats: number;
  /** each step's deadline: base + per 1,000 programs */
  deadline_s: { base: number; per_1000: number };
  /**
   * Every daemon's RLIMIT_NOFILE, soft and hard alike: the hard limit systemd
   * gives a service by default (DefaultLimitNOFILE=1024:524288). Node raises
   * its own soft limit to the hard one, supervisord only to its minfds (1024
   * by default), so the bench sets both limits for every daemon.
   */
  nofile: number;
}

const MiB = 1024 * 1024;

export const FULL: Settings = {
  smoke: false,
  runs: 3,
  stoptime_s: 10,
  spawn: { programs: 500, starttime_s: 1 },
  // 60 s: a whole multiple of every periodic timer of the three daemons (workloads/idle.ts).
  idle: { programs: 100, starttime_s: 1, settle_s: 3, seconds: 60 },
  ctl: { programs: 100, starttime_s: 1, repeats: 20, pairs: 30 },
  // 5 s: thousands of requests for the fastest, over a thousand for the slowest; longer only lengthened the bench.
  clients: { programs: 100, starttime_s: 1, loops: 10, seconds: 5, timeout_ms: 5000 },
  // starttime 0: the writer may be done before any start delay, which would make its exit a failed start.
  logs: { bytes: 200 * MiB, maxbytes: 50 * MiB, backups: 10, starttime_s: 0, stall_s: 10 },
  // starttime 0: the child's exit after 1 s is then always an exit from RUNNING (supervisord's startsecs is whole seconds).
  restart: { restarts: 10, lifetime_ms: 1000, starttime_s: 0 },
  scale: { sizes: [100, 1000, 5000, 10000], runs: 1, starttime_s: 1, pm2_max: 1000, repeats: 5, deadline_s: { base: 30, per_1000: 20 }, nofile: 524288 },
  remote: { pairs: 30, round_trips: 200, stream_bytes: 1024 * MiB, jobs: 1000, in_flight: 100, job_max_running: 128 },
};

export const SMOKE: Settings = {
  smoke: true,
  runs: 1,
  stoptime_s: 10,
  spawn: { programs: 5, starttime_s: 1 },
  idle: { programs: 5, starttime_s: 1, settle_s: 0.2, seconds: 1 },
  ctl: { programs: 5, starttime_s: 1, repeats: 3, pairs: 3 },
  clients: { programs: 5, starttime_s: 1, loops: 2, seconds: 1, timeout_ms: 5000 },
  logs: { bytes: 1_000_000, maxbytes: 256 * 1024, backups: 10, starttime_s: 0, stall_s: 5 },
  restart: { restarts: 2, lifetime_ms: 300, starttime_s: 0 },
  scale: { sizes: [5, 10], runs: 1, starttime_s: 1, pm2_max: 10, repeats: 2, deadline_s: { base: 30, per_1000: 20 }, nofile: 524288 },
  remote: { pairs: 2, round_trips: 5, stream_bytes: 4 * MiB, jobs: 20, in_flight: 5, job_max_running: 16 },
};
