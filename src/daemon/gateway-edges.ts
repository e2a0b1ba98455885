// The gateway keeper's edges on the real OS: the single executable started
// again in its gateway role, as the gateway's user, with no supplementary
// groups (libuv drops them when it sets the ids), a minimal environment (the
// daemon's may hold what the network-facing process has no business
// seeing) and / as its directory (the daemon's may be closed to that user).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Account } from '../config/accounts';
import type { GatewayChild, GatewayChildEvents, GatewayEdges } from './gateway-process';

export function osGatewayEdges(now: () => number, executable = process.execPath): GatewayEdges {
  return {
    now,
    after: (ms, fn) => {
      const timer = setTimeout(fn, ms);
      return () => clearTimeout(timer);
    },
    spawn: (account: Account | null, events: GatewayChildEvents): GatewayChild => {
      const proc = spawn(executable, ['gateway'], {
        stdio: ['pipe', 'pipe', 'pipe'],
        cwd: '/',
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
        ...(account === null ? {} : { uid: account.uid, gid: account.gid }),
      });
      createInterface({ input: proc.stdout! }).on('line', events.stdoutLine);
      createInterface({ input: proc.stderr! }).on('line', events.stderrLine);
      // A gateway that died leaves a broken pipe; the exit event says what happened.
      proc.stdin!.on('error', () => undefined);
      proc.once('error', (err) => {
        events.stderrLine(JSON.stringify({ level: 50, msg: `cannot start ${executable} gateway: ${err.message}` }));
        events.exit(null, null);
      });
      proc.once('exit', (code, signal) => events.exit(code, signal));
      return {
        pid: proc.pid,
        write: (line) => void proc.stdin!.write(line),
        endInput: () => void proc.stdin!.end(),
        kill: (signal) => void proc.kill(signal),
      };
    },
  };
}
