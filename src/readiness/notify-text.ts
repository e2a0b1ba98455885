// What one sd_notify datagram says: newline-separated VAR=VALUE assignments
// (sd_notify(3)). Only those taskmaster acts on are kept; the rest
// (MAINPID=, ERRNO=, FDSTORE=, EXTEND_TIMEOUT_USEC=…) are ignored.
export interface NotifyText {
  ready: boolean;
  /** STATUS=: a line for `status`; '' clears it. */
  status: string | null;
  watchdog: boolean;
  reloading: boolean;
  stopping: boolean;
}

export function parseNotify(text: string): NotifyText {
  const said: NotifyText = { ready: false, status: null, watchdog: false, reloading: false, stopping: false };
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const name = line.slice(0, eq);
    const value = line.slice(eq + 1);
    switch (name) {
      case 'READY':
        said.ready ||= value === '1';
        break;
      case 'STATUS':
        said.status = value;
        break;
      case 'WATCHDOG':
        said.watchdog ||= value === '1';
        break;
      case 'RELOADING':
        said.reloading ||= value === '1';
        break;
      case 'STOPPING':
        said.stopping ||= value === '1';
        break;
    }
  }
  return said;
}
