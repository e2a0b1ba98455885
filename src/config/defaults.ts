// Defaults, as supervisord has them where it has them.
import type { DaemonSettings } from './types';

export const DEFAULT_CONFIG_FILE = '/etc/taskmaster/taskmaster.yaml';

export const DEFAULT_DAEMON: DaemonSettings = {
  socket: '/run/taskmaster/taskmaster.sock',
  socket_mode: 0o700,
  logfile: null,
  logfile_maxbytes: 50 * 1024 * 1024,
  logfile_backups: 10,
  logfile_frequency: null,
  childlogdir: '/var/log/taskmaster',
  loglevel: 'info',
  umask: null,
  user: null,
  socket_owner: null,
};

export const DEFAULT_PROGRAM = {
  numprocs: 1,
  umask: null,
  workingdir: null,
  autostart: true,
  autorestart: 'unexpected',
  exitcodes: [0],
  startretries: 3,
  starttime: 1,
  stopsignal: 'TERM',
  stoptime: 10,
  restartdelay: 0, // supervisord restarts at once
  restartdelay_max: 0, // no growth
  stdout_maxbytes: 50 * 1024 * 1024,
  stdout_backups: 10,
  stderr_maxbytes: 50 * 1024 * 1024,
  stderr_backups: 10,
  redirect_stderr: false,
  env: {},
  user: null,
  priority: 999,
  stopasgroup: false,
  // killasgroup defaults to the program's stopasgroup
} as const;
