// A program's settings as they take effect, written back in the config's own
// vocabulary, for `taskmasterctl config`-style display.
import type { AutoRestart, LogTarget, ProgramConfig } from './types';

const AUTORESTART_YAML: Record<AutoRestart, boolean | 'unexpected'> = { always: true, never: false, unexpected: 'unexpected' };

export function effectiveProgram(p: ProgramConfig): Record<string, unknown> {
  return {
    cmd: p.cmd,
    numprocs: p.numprocs,
    umask: p.umask === null ? null : p.umask.toString(8).padStart(3, '0'),
    workingdir: p.workingdir,
    autostart: p.autostart,
    autorestart: AUTORESTART_YAML[p.autorestart],
    exitcodes: [...p.exitcodes],
    startretries: p.startretries,
    starttime: p.starttime,
    stopsignal: p.stopsignal,
    stoptime: p.stoptime,
    restartdelay: p.restartdelay,
    restartdelay_max: p.restartdelay_max,
    stdout: targetYaml(p.stdout),
    stderr: targetYaml(p.stderr),
    env: { ...p.env },
    user: p.user,
    priority: p.priority,
    stopasgroup: p.stopasgroup,
    killasgroup: p.killasgroup,
    redirect_stderr: p.redirect_stderr,
    stdout_maxbytes: p.stdout_maxbytes,
    stdout_backups: p.stdout_backups,
    stderr_maxbytes: p.stderr_maxbytes,
    stderr_backups: p.stderr_backups,
  };
}

function targetYaml(t: LogTarget): string {
  switch (t.kind) {
    case 'none':
    case 'auto':
      return t.kind;
    case 'file':
      return t.path;
    default:
      return unknownTarget(t);
  }
}

function unknownTarget(t: never): never {
  throw new Error(`unknown log target ${JSON.stringify(t)}`);
}
