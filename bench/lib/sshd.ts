// The anchor of the remote workload: Debian's OpenSSH, run by the bench as
// its own `sshd -D` on a loopback port, with a host key and a user key made
// for the run in a temp dir (never the system's keys or service). The client
// checks the host key strictly against a known_hosts written here, and reads
// no user or system ssh config, so nothing on the machine changes what runs.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startDaemon, stopDaemon } from '../supervisors/launch';
import { run } from './run';
import { waitFor } from './time';

export const SSHD = '/usr/sbin/sshd';

/** Why ssh cannot be compared with here, or null. */
export function sshMissing(): string | null {
  for (const bin of [SSHD, '/usr/bin/ssh', '/usr/bin/ssh-keygen']) {
    if (!existsSync(bin)) return `${bin} is missing (bench/deps.sh installs openssh-server and openssh-client)`;
  }
  return null;
}

export interface Sshd {
  port: number;
  /** argv that runs `command` through ssh as root on this sshd. */
  ssh(...command: string[]): string[];
  stop(): Promise<void>;
}

/** A free loopback port: bound, then released for sshd to take. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function startSshd(dir: string): Promise<Sshd> {
  const why = sshMissing();
  if (why) throw new Error(why);
  const at = join(dir, 'ssh');
  mkdirSync(at, { recursive: true, mode: 0o700 });
  const hostKey = join(at, 'host_ed25519');
  const userKey = join(at, 'user_ed25519');
  for (const key of [hostKey, userKey]) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'taskmaster-bench', '-f', key]);
  writeFileSync(join(at, 'authorized_keys'), readFileSync(`${userKey}.pub`), { mode: 0o600 });
  // sshd refuses to start without its privilege-separation directory (Debian makes it in its service's start).
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const port = await freePort();
  const config = join(at, 'sshd_config');
  writeFileSync(
    config,
    [
      `ListenAddress 127.0.0.1:${port}`,
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${join(at, 'authorized_keys')}`,
      `PidFile ${join(at, 'sshd.pid')}`,
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      // The temp dir lies under /tmp, which is world-writable: StrictModes would refuse its authorized_keys.
      'StrictModes no',
      'UsePAM no',
      'UseDNS no',
      'PrintMotd no',
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n'),
  );
  const knownHosts = join(at, 'known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${readFileSync(`${hostKey}.pub`, 'utf8')}`);
  const child = startDaemon([SSHD, '-D', '-e', '-f', config], join(at, 'sshd.stderr'));
  const ssh = (...command: string[]): string[] => [
    '/usr/bin/ssh',
    '-F', '/dev/null',
    '-p', String(port),
    '-i', userKey,
    '-o', 'IdentitiesOnly=yes',
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', `UserKnownHostsFile=${knownHosts}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'ControlMaster=no',
    '-o', 'ControlPath=none',
    'root@127.0.0.1',
    ...command,
  ];
  try {
    await waitFor('sshd to accept a login', 20_000, 50, async () => {
      if (child.exitCode !== null) throw new Error(`sshd exited ${child.exitCode}: ${readFileSync(join(at, 'sshd.stderr'), 'utf8').trim().slice(-500)}`);
      return (await run(ssh('true'), { timeoutMs: 10_000 })).code === 0 ? true : undefined;
    });
  } catch (err) {
    await stopDaemon(child.pid, new Set());
    throw err;
  }
  return { port, ssh, stop: () => stopDaemon(child.pid, new Set()) };
}
