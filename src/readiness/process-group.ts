// The process group of a live process, from /proc/PID/stat: a notify
// message from a child of a program (systemd-notify run by its shell) is
// accepted when the sender is in the program's process group, which the
// program leads (it was started in its own session).
import { readFileSync } from 'node:fs';

/** null when the process is gone or its stat cannot be read. */
export function processGroupOf(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so
  // the fields are counted from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const pgrp = Number(fields[2]);
  return Number.isInteger(pgrp) && pgrp > 0 ? pgrp : null;
}
