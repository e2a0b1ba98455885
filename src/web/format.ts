// How the page shows numbers and states. Pure (no DOM), so it is tested as
// is (test/unit/web-format.test.ts). An absent value is shown as "–", never
// as a made-up 0.
export const ABSENT = '–';

const STATE_NAMES = ['UNKNOWN', 'STOPPED', 'STARTING', 'RUNNING', 'BACKOFF', 'STOPPING', 'EXITED', 'FATAL'] as const;

/** ProcessState's number as supervisorctl names it. */
export function stateName(state: number): string {
  return STATE_NAMES[state] ?? 'UNKNOWN';
}

/** The CSS class of a state's colour: running is fine, trouble is loud, the rest is neutral. */
export function stateTone(state: number): 'ok' | 'busy' | 'bad' | 'idle' {
  switch (stateName(state)) {
    case 'RUNNING':
      return 'ok';
    case 'STARTING':
    case 'STOPPING':
      return 'busy';
    case 'BACKOFF':
    case 'FATAL':
    case 'UNKNOWN':
      return 'bad';
    default:
      return 'idle';
  }
}

/** 0:05:07, 2d 3:04:05. */
export function uptime(seconds: number | undefined): string {
  if (seconds === undefined) return ABSENT;
  const s = Math.max(0, Math.floor(seconds));
  const days = Math.floor(s / 86400);
  const hms = `${Math.floor((s % 86400) / 3600)}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
  return days > 0 ? `${days}d ${hms}` : hms;
}

const pad = (n: number): string => String(n).padStart(2, '0');

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1.5 MiB. */
export function bytes(n: bigint | number | undefined): string {
  if (n === undefined) return ABSENT;
  let v = Number(n);
  let unit = 0;
  while (v >= 1024 && unit < UNITS.length - 1) {
    v /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

/** 12.5 %. */
export function percent(n: number | undefined): string {
  return n === undefined ? ABSENT : `${n.toFixed(1)} %`;
}

/** Keeps the end of a growing log: at most `max` characters, cut at a line start when one is near. */
export function keepTail(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.length - max;
  const nl = text.indexOf('\n', cut);
  return nl === -1 || nl - cut > 200 ? text.slice(cut) : text.slice(nl + 1);
}
