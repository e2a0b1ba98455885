// The sizes of every workload, full and smoke, and the settings given to
// every supervisor alike (they are written into the results).
export interface Settings {
  smoke: boolean;
  runs: number;
  /** the same for every supervisor: taskmaster stoptime, supervisord stopwaitsecs, PM2 kill_timeout */
  stoptime_s: number;
  spawn: { programs: number; starttime_s: number };
  idle: { programs: number; starttime_s: number; settle_s: number; seconds: number };
  ctl: { programs: number; starttime_s: number; repeats: number };
  clients: { programs: number; starttime_s: number; loops: number; seconds: number; timeout_ms: number };
  logs: { bytes: number; maxbytes: number; backups: number; starttime_s: number; stall_s: number };
  restart: { restarts: number; lifetime_ms: number; starttime_s: number };
  /** in_flight: jobs the client keeps running at once in the burst; job_max_running: the daemon's bound, above it */
  remote: { pairs: number; round_trips: number; stream_bytes: number; jobs: number; in_flight: number; job_max_running: number };
}

const MiB = 1024 * 1024;

export const FULL: Settings = {
  smoke: false,
  runs: 3,
  stoptime_s: 10,
  spawn: { programs: 500, starttime_s: 1 },
  idle: { programs: 100, starttime_s: 1, settle_s: 3, seconds: 30 },
  ctl: { programs: 100, starttime_s: 1, repeats: 20 },
  clients: { programs: 100, starttime_s: 1, loops: 10, seconds: 10, timeout_ms: 5000 },
  // starttime 0: the writer may be done before any start delay, which would make its exit a failed start.
  logs: { bytes: 200 * MiB, maxbytes: 50 * MiB, backups: 10, starttime_s: 0, stall_s: 10 },
  // starttime 0: the child's exit after 1 s is then always an exit from RUNNING (supervisord's startsecs is whole seconds).
  restart: { restarts: 10, lifetime_ms: 1000, starttime_s: 0 },
  remote: { pairs: 30, round_trips: 200, stream_bytes: 1024 * MiB, jobs: 1000, in_flight: 100, job_max_running: 128 },
};

export const SMOKE: Settings = {
  smoke: true,
  runs: 1,
  stoptime_s: 10,
  spawn: { programs: 5, starttime_s: 1 },
  idle: { programs: 5, starttime_s: 1, settle_s: 0.2, seconds: 1 },
  ctl: { programs: 5, starttime_s: 1, repeats: 3 },
  clients: { programs: 5, starttime_s: 1, loops: 2, seconds: 1, timeout_ms: 5000 },
  logs: { bytes: 1 * MiB, maxbytes: 256 * 1024, backups: 10, starttime_s: 0, stall_s: 5 },
  restart: { restarts: 2, lifetime_ms: 300, starttime_s: 0 },
  remote: { pairs: 2, round_trips: 5, stream_bytes: 4 * MiB, jobs: 20, in_flight: 5, job_max_running: 16 },
};
