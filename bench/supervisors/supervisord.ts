// supervisord (Debian's `supervisor`): `supervisord -n` on an ini config in
// the temp dir, XML-RPC over HTTP on its Unix socket, supervisorctl.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { runOk } from '../lib/run';
import { daemonOnSocket, startDaemon } from './launch';
import type { Daemon, ProcInfo, ProgramSpec, RawClient, Supervisor } from './types';

function which(cmd: string): string | null {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

function configIni(dir: string, programs: ProgramSpec[]): string {
  const lines = [
    '[unix_http_server]',
    `file=${join(dir, 'sd.sock')}`,
    '[supervisord]',
    `logfile=${join(dir, 'supervisord.log')}`,
    `pidfile=${join(dir, 'supervisord.pid')}`,
    `childlogdir=${join(dir, 'logs')}`,
    'loglevel=info',
    'nodaemon=true',
    '[rpcinterface:supervisor]',
    'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
    '[supervisorctl]',
    `serverurl=unix://${join(dir, 'sd.sock')}`,
  ];
  for (const p of programs) {
    // startsecs is an integer in supervisord.
    if (!Number.isInteger(p.starttime)) throw new Error(`supervisord: startsecs must be whole seconds, not ${p.starttime}`);
    lines.push(
      `[program:${p.name}]`,
      `command=${p.argv.join(' ')}`,
      `numprocs=${p.numprocs}`,
      `process_name=${p.numprocs > 1 ? '%(program_name)s_%(process_num)d' : '%(program_name)s'}`,
      `startsecs=${p.starttime}`,
      `autorestart=${p.autorestart}`,
      'stopwaitsecs=10',
    );
    if (p.stdout) {
      lines.push(`stdout_logfile=${p.stdout.file}`, `stdout_logfile_maxbytes=${p.stdout.maxbytes}`, `stdout_logfile_backups=${p.stdout.backups}`);
    }
  }
  return lines.join('\n') + '\n';
}

// String parameters only, which is all the bench sends; names are [a-z0-9_] (no XML escaping needed).
const call = (method: string, params: string[]): string =>
  `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${params.map((p) => `<param><value><string>${p}</string></value></param>`).join('')}</params></methodCall>`;

/** One keep-alive HTTP connection on the socket, greeted with supervisor.getAPIVersion. */
async function connectTo(socketPath: string): Promise<RawClient> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const rpc = (method: string, ...params: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      const body = call(method, params);
      const req = request(
        { socketPath, agent, path: '/RPC2', method: 'POST', headers: { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(body) } },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () => {
            const text = Buffer.concat(parts).toString('utf8');
            if (res.statusCode !== 200 || text.includes('<fault>')) reject(new Error(`${method}: HTTP ${res.statusCode} ${text.slice(0, 300)}`));
            else resolve(text);
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  await rpc('supervisor.getAPIVersion');
  return {
    status: async () => parseProcessInfo(await rpc('supervisor.getAllProcessInfo')),
    statusOne: async (name) => {
      const [one] = parseProcessInfo(await rpc('supervisor.getProcessInfo', name));
      if (!one) throw new Error(`getProcessInfo ${name}: no struct in the answer`);
      return one;
    },
    close: () => agent.destroy(),
  };
}

function member(struct: string, key: string): string | undefined {
  return new RegExp(`<name>${key}</name>\\s*<value>\\s*<(?:string|int)>([^<]*)<`).exec(struct)?.[1];
}

function parseProcessInfo(xml: string): ProcInfo[] {
  return xml
    .split('<struct>')
    .slice(1)
    .map((s) => {
      const state = member(s, 'statename') ?? '';
      const pid = Number(member(s, 'pid') ?? 0);
      return {
        name: member(s, 'name') ?? '',
        running: state === 'RUNNING',
        stopped: state === 'STOPPED' || state === 'EXITED' || state === 'FATAL',
        pid: pid > 0 ? pid : null,
      };
    });
}

export const supervisord: Supervisor = {
  name: 'supervisord',
  missing: () => (which('supervisord') && which('supervisorctl') ? null : 'supervisord is not installed: bench/deps.sh installs it'),
  version: () => execFileSync('supervisord', ['--version'], { encoding: 'utf8' }).trim(),
  launch(dir, programs, opts = {}): Daemon {
    mkdirSync(join(dir, 'logs'), { recursive: true });
    const config = join(dir, 'supervisord.conf');
    const socket = join(dir, 'sd.sock');
    writeFileSync(config, configIni(dir, programs));
    const child = startDaemon(['supervisord', '-n', '-c', config], join(dir, 'supervisord.stderr'), process.env, opts.nofile);
    const ctl = (...args: string[]) => ({ argv: ['supervisorctl', '-c', config, ...args], env: process.env });
    // `update`: reread the config, then remove and re-add only the groups that changed.
    const reload = async (next: ProgramSpec[]): Promise<void> => {
      writeFileSync(config, configIni(dir, next));
      await runOk(ctl('update').argv, { timeoutMs: 600_000 });
    };
    return daemonOnSocket(child, () => connectTo(socket), ctl, reload);
  },
};

