// pino-roll writes the daemon log as numbered files: with logfile
// /var/log/taskmaster/taskmasterd.log they are taskmasterd.1.log,
// taskmasterd.2.log, … and the highest number is the current one.
import { readdirSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

/** The daemon's log files, newest first. */
export function rolledFiles(logfile: string): string[] {
  const dir = dirname(logfile);
  const ext = extname(logfile) || '.log';
  const stem = basename(logfile, extname(logfile));
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const numbered: [number, string][] = [];
  for (const name of names) {
    if (!name.startsWith(`${stem}.`) || !name.endsWith(ext)) continue;
    const middle = name.slice(stem.length + 1, name.length - ext.length);
    if (/^\d+$/.test(middle)) numbered.push([Number(middle), join(dir, name)]);
  }
  return numbered.sort((a, b) => b[0] - a[0]).map(([, path]) => path);
}
