// taskmaster: taskmasterd on a YAML config, its NDJSON socket, taskmasterctl.
// Every run uses one snapshot of dist/taskmaster, copied when the bench starts:
// others may rebuild dist/ while it runs.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { LineSplitter } from '../../src/protocol/framing';
import { PROTOCOL_VERSION } from '../../src/protocol/messages';
import { DIST, ROOT } from '../lib/paths';
import { runOk } from '../lib/run';
import { daemonOnSocket, startDaemon } from './launch';
import type { Daemon, ProcInfo, ProgramSpec, RawClient, Supervisor } from './types';

const BUILT = join(DIST, 'taskmaster');
let bin = DIST;
let built = '';

/** Copies dist/taskmaster into `dir` with its two role links; the bench then runs only that copy. */
export function snapshotTaskmaster(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const mtime = statSync(BUILT).mtime.toISOString();
  copyFileSync(BUILT, join(dir, 'taskmaster'));
  for (const role of ['taskmasterd', 'taskmasterctl']) symlinkSync('taskmaster', join(dir, role));
  const sha = createHash('sha256').update(readFileSync(join(dir, 'taskmaster'))).digest('hex');
  built = `dist/taskmaster built ${mtime}, sha256 ${sha.slice(0, 12)}`;
  bin = dir;
}

function configYaml(dir: string, programs: ProgramSpec[]): string {
  const lines = [
    'taskmasterd:',
    `  socket: ${join(dir, 'tm.sock')}`,
    `  childlogdir: ${join(dir, 'logs')}`,
    `  logfile: ${join(dir, 'taskmasterd.log')}`,
    '  loglevel: info',
    'programs:',
  ];
  for (const p of programs) {
    lines.push(
      `  ${p.name}:`,
      `    cmd: ${JSON.stringify(p.argv.join(' '))}`,
      `    numprocs: ${p.numprocs}`,
      `    starttime: ${p.starttime}`,
      `    autorestart: ${p.autorestart}`,
      '    stoptime: 10',
    );
    if (p.stdout) {
      lines.push(`    stdout: ${p.stdout.file}`, `    stdout_maxbytes: ${p.stdout.maxbytes}`, `    stdout_backups: ${p.stdout.backups}`);
    }
  }
  return lines.join('\n') + '\n';
}

// Protocol 2's JSON form: states as PROCESS_STATE_*, an absent pid left out.
type WireProcess = { name: string; state: string; pid?: number };
const procInfo = (s: WireProcess): ProcInfo => ({
  name: s.name,
  running: s.state === 'PROCESS_STATE_RUNNING',
  stopped: ['PROCESS_STATE_STOPPED', 'PROCESS_STATE_EXITED', 'PROCESS_STATE_FATAL'].includes(s.state),
  pid: s.pid ?? null,
});

/** One greeted connection; requests are answered in order, one at a time per caller. */
async function connectTo(socketPath: string): Promise<RawClient & { seen: Set<number> }> {
  const sock: Socket = await new Promise((resolve, reject) => {
    const s = netConnect(socketPath);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
  const splitter = new LineSplitter(64 * 1024 * 1024);
  const waiting = new Map<number, { resolve: (m: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const fail = (err: Error): void => {
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  sock.on('data', (chunk: Buffer) => {
    for (const piece of splitter.push(chunk)) {
      if (piece.kind !== 'line') {
        fail(new Error('response line too long'));
        continue;
      }
      const msg = JSON.parse(piece.line) as Record<string, unknown>;
      const w = waiting.get(msg.id as number);
      waiting.delete(msg.id as number);
      w?.resolve(msg);
    }
  });
  sock.on('error', fail);
  sock.on('close', () => fail(new Error('connection closed')));
  const request = (req: Record<string, unknown>): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      sock.write(JSON.stringify({ id, ...req }) + '\n');
    });
  const hello = await request({ cmd: 'hello', version: PROTOCOL_VERSION });
  if (hello.ok !== true) throw new Error(`hello refused: ${JSON.stringify(hello)}`);
  const seen = new Set<number>();
  return {
    seen,
    status: async (): Promise<ProcInfo[]> => {
      const r = await request({ cmd: 'status', names: [] });
      if (r.ok !== true) throw new Error(`status failed: ${JSON.stringify(r.error)}`);
      const { processes } = r.result as { processes: WireProcess[] };
      return processes.map(procInfo);
    },
    statusOne: async (name: string): Promise<ProcInfo> => {
      const r = await request({ cmd: 'status', names: [name] });
      if (r.ok !== true) throw new Error(`status ${name} failed: ${JSON.stringify(r.error)}`);
      const { processes } = r.result as { processes: WireProcess[] };
      if (processes.length !== 1) throw new Error(`status ${name}: ${processes.length} processes`);
      return procInfo(processes[0]!);
    },
    close: () => sock.destroy(),
  };
}

export const taskmaster: Supervisor = {
  name: 'taskmaster',
  missing: () => (existsSync(BUILT) ? null : `${BUILT} is missing: run make build`),
  version: () => {
    const v = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    return built ? `${v} (${built})` : v;
  },
  launch(dir, programs, opts = {}): Daemon {
    mkdirSync(join(dir, 'logs'), { recursive: true });
    const config = join(dir, 'taskmaster.yaml');
    const socket = join(dir, 'tm.sock');
    writeFileSync(config, configYaml(dir, programs));
    const child = startDaemon([join(bin, 'taskmasterd'), '-c', config], join(dir, 'taskmasterd.stderr'), process.env, opts.nofile);
    const ctl = (...args: string[]) => ({ argv: [join(bin, 'taskmasterctl'), '-s', socket, ...args], env: process.env });
    const reload = async (next: ProgramSpec[]): Promise<void> => {
      writeFileSync(config, configYaml(dir, next));
      await runOk(ctl('reload').argv, { timeoutMs: 600_000 });
    };
    return daemonOnSocket(child, () => connectTo(socket), ctl, reload);
  },
};

/** The directory of the taskmasterd and taskmasterctl the bench runs (the snapshot once taken). */
export const taskmasterBinDir = (): string => bin;
