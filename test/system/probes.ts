// What the system test asks the guest: taskmasterctl's JSON status, systemd's
// properties of the unit, the journal, the daemon's log, /proc. Each helper
// throws with the guest's own words when it cannot answer.
import type { StatusView as ProcessStatus } from '../../src/cli/views';
import { sleep, type Guest } from './container';

export const UNIT = 'taskmaster';
export const LOGDIR = '/var/log/taskmaster';

/** `taskmasterctl --json status`; exit 3 (some process not RUNNING) is an answer too. */
export async function status(g: Guest): Promise<ProcessStatus[]> {
  const r = await g.run('taskmasterctl --json status');
  if (r.code !== 0 && r.code !== 3) throw new Error(`taskmasterctl status: exit ${r.code}\n${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout) as ProcessStatus[];
}

export function byName(rows: ProcessStatus[], name: string): ProcessStatus {
  const row = rows.find((r) => r.name === name);
  if (!row) throw new Error(`no process "${name}" in the status: ${rows.map((r) => r.name).join(', ')}`);
  return row;
}

/** `systemctl show -p …` of the unit, as a record. */
export async function show(g: Guest, ...props: string[]): Promise<Record<string, string>> {
  const out = await g.sh(`systemctl show -p ${props.join(',')} ${UNIT}`);
  const rec: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) rec[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return rec;
}

export interface JournalEntry {
  message: string;
  usec: number; // __REALTIME_TIMESTAMP
}

export async function journal(g: Guest): Promise<JournalEntry[]> {
  const out = await g.sh(`journalctl -u ${UNIT} -o json --no-pager`);
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { MESSAGE?: unknown; __REALTIME_TIMESTAMP: string })
    .map((e) => ({ message: typeof e.MESSAGE === 'string' ? e.MESSAGE : String(e.MESSAGE), usec: Number(e.__REALTIME_TIMESTAMP) }));
}

export interface LogLine {
  time: number; // ms since the epoch
  msg: string;
}

/** The daemon's pino log: every rolled file, oldest first. */
export async function daemonLog(g: Guest): Promise<LogLine[]> {
  const out = await g.sh(`cd ${LOGDIR} && ls taskmasterd.*.log | sort -t. -k2,2n | xargs -r cat`);
  return out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}

/** For failure messages: the unit as systemd sees it, and the daemon's own warnings and errors. */
export async function diagnose(g: Guest): Promise<string> {
  const r = await g.run(
    `systemctl status --no-pager ${UNIT}; journalctl -u ${UNIT} --no-pager | tail -n 20; ` +
      `echo '--- warnings and errors in the daemon log:'; cat ${LOGDIR}/taskmasterd.*.log 2>/dev/null | grep '"level":[4-6]0' | tail -n 10`,
  );
  return r.stdout + r.stderr;
}

/** Uid, Gid and Groups of a guest process, from /proc/PID/status. */
export async function credentials(g: Guest, pid: number): Promise<{ uids: number[]; gids: number[]; groups: number[] }> {
  const text = await g.sh(`cat /proc/${pid}/status`);
  const field = (name: string): number[] => {
    const m = new RegExp(`^${name}:(.*)$`, 'm').exec(text);
    if (!m?.[1]) throw new Error(`no ${name}: in /proc/${pid}/status`);
    return m[1].trim().split(/\s+/).filter(Boolean).map(Number);
  };
  return { uids: field('Uid'), gids: field('Gid'), groups: field('Groups').sort((a, b) => a - b) };
}

/** Counts of processes by state, the way STATUS= words them: "3 running, 1 fatal". */
export function stateCounts(rows: ProcessStatus[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.state.toLowerCase(), (counts.get(r.state.toLowerCase()) ?? 0) + 1);
  return counts;
}

/** Parses "5 programs: 3 running, 1 fatal, 1 stopped". */
export function parseStatusText(text: string): { total: number; counts: Map<string, number> } | null {
  const m = /^(\d+) programs?(?:: (.*))?$/.exec(text.trim());
  if (!m) return null;
  const counts = new Map<string, number>();
  for (const part of (m[2] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const p = /^(\d+) (\w+)$/.exec(part);
    if (!p) return null;
    counts.set(p[2] as string, Number(p[1]));
  }
  return { total: Number(m[1]), counts };
}

/** Polls until `probe` returns something other than undefined; the last failure explains a timeout. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
      last = 'not yet';
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}; last: ${last}`);
    await sleep(200);
  }
}
