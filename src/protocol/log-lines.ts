// The daemon logs pino JSON lines; people read them as one line each. Both
// the daemon (stderr without a logfile) and `taskmasterctl maintail` use
// this one rendering.

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'v']);

export function formatLogLine(jsonLine: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(jsonLine) as Record<string, unknown>;
  } catch {
    return jsonLine; // not ours: show it as it is
  }
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().replace('T', ' ').replace('Z', '') : '-';
  const level = (LEVELS[entry.level as number] ?? String(entry.level)).padEnd(5);
  const extra = Object.entries(entry)
    .filter(([k]) => !HIDDEN.has(k) && k !== 'process' && k !== 'from' && k !== 'to')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${time} ${level} ${String(entry.msg ?? '')}${extra ? `  ${extra}` : ''}`;
}
