// Defaults of the daemon, as supervisord has them where it has them. A
// program's defaults are in its table, program-fields.ts.
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
