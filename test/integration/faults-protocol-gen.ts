// Generated request lines for the protocol fuzz: random bytes, JSON-looking
// noise, and valid requests mutated (wrong types, missing and extra fields,
// huge numbers, deep nesting, unicode, NULs, two requests on one line).
//
// Every line is harmless by construction: the fuzz runs against a daemon
// whose programs must keep their pids, so no generated line may be a valid
// start/stop/restart/signal of a real process, a reload or a shutdown (nor
// run or kill a job). Nor may it follow a log: a follow never ends by itself,
// so it has no final reply, and the fuzz counts the lines the daemon read by
// their replies (faults-protocol-clients tests follows). `harmful` is the
// last guard; a line it flags is generated again.
import { MAX_LINE_BYTES, PROTOCOL_VERSION } from '../../src/protocol/messages';
import type { Rng } from '../fixtures/seeded-random';

export interface FuzzCase {
  kind: string;
  line: Buffer; // one line, without its newline; never contains 0x0a
}

type Json = null | boolean | number | string | Deep | Json[] | { [k: string]: Json };

/** `levels` lists or objects around `inner`; written by `stringify`, which JSON.stringify could not (it recurses). */
class Deep {
  constructor(
    readonly inner: Json,
    readonly levels: number,
    readonly asList: boolean,
  ) {}
}

function stringify(v: Json): string {
  if (v instanceof Deep) {
    const [open, close] = v.asList ? ['[', ']'] : ['{"k":', '}'];
    return open.repeat(v.levels) + stringify(v.inner) + close.repeat(v.levels);
  }
  if (Array.isArray(v)) return `[${v.map(stringify).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    return `{${Object.keys(v).map((k) => `${JSON.stringify(k)}:${stringify(v[k] as Json)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Sets a key as an own property, `__proto__` included (plain assignment would set the prototype). */
function put(obj: Record<string, Json>, key: string, value: Json): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** What the daemon under test runs, so read-only requests can name real processes. */
export interface Target {
  processes: string[]; // e.g. web:0, web:1, idle
  programs: string[];
}

const ACTING = new Set(['start', 'stop', 'restart', 'signal']);
const NEVER = new Set(['shutdown', 'reload', 'run', 'kill']);

/** True when the line, as the daemon would decode it, could change a program or the daemon. */
export function harmful(line: Buffer, target: Target): boolean {
  let v: unknown;
  try {
    v = JSON.parse(line.toString('utf8'));
  } catch {
    return false;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const { cmd, names, follow } = v as { cmd?: unknown; names?: unknown; follow?: unknown };
  if (typeof cmd !== 'string') return false;
  if (NEVER.has(cmd)) return true;
  if (follow !== undefined && follow !== null && follow !== false) return true;
  if (!ACTING.has(cmd) || !Array.isArray(names)) return false;
  return names.some((n) => typeof n === 'string' && selectsSomething(n, target));
}

function selectsSomething(name: string, target: Target): boolean {
  if (name === 'all') return true;
  const program = name.endsWith(':*') ? name.slice(0, -2) : name;
  return target.programs.includes(program) || target.processes.includes(name);
}

const STRINGS = [
  '', ' ', 'nosuch', 'nosuch:0', 'nosuch:*', ':', '*', ':*', 'web:', 'WEB', 'Web:0', 'all ', ' all', 'ALL',
  '\u0000', 'a\u0000b', '\u00e9t\u00e9', '\u65e5\u672c', '\ud83d\ude00', '\ud800', '\udfff', '\u2028', '\ufeff',
  '\r', '\t', '\\', '"', '%s%n', '../../etc/passwd', '${HOME}', 'SIGTERM', 'TERM', '15', 'KILL', 'stdout',
];
const NUMBERS = [0, 1, -1, 0.5, -0, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e21, 1e308, -1e308, Number.MIN_VALUE];
// Literals JSON.stringify cannot produce but JSON.parse reads (1e400 is Infinity).
const RAW_NUMBERS = ['1e400', '-1e400', '1E+2', '0.0000001', '123456789012345678901234567890', '-0.0', '1.0'];
const KEYS = [
  'id', 'cmd', 'as', 'names', 'name', 'signal', 'stream', 'lines', 'follow', 'version', 'job_id', 'jobId', 'command', 'args', 'env',
  '__proto__', 'constructor', 'toString', '', 'ID', 'Cmd', 'result', 'ok', 'error', 'item', 'chunk',
];

function randomString(rng: Rng): string {
  if (rng.chance(0.5)) return rng.pick(STRINGS);
  const n = rng.weighted([[8, rng.int(12)], [1, rng.between(100, 3000)]]);
  let s = '';
  for (let i = 0; i < n; i++) {
    s += String.fromCharCode(
      rng.weighted([
        [6, rng.between(0x20, 0x7e)],
        [1, rng.between(0, 0x1f)],
        [1, rng.between(0x80, 0xffff)],
      ]),
    );
  }
  return s;
}

/** A random JSON value; `depth` bounds ordinary nesting (deep nesting is its own mutation). */
function randomValue(rng: Rng, depth = 0): Json {
  const kind = rng.int(depth > 2 ? 4 : 6);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick(NUMBERS);
    case 3:
      return randomString(rng);
    case 4:
      return Array.from({ length: rng.int(4) }, () => randomValue(rng, depth + 1));
    default: {
      const o: Record<string, Json> = {};
      for (let i = rng.int(4); i > 0; i--) put(o, rng.pick(KEYS), randomValue(rng, depth + 1));
      return o;
    }
  }
}


/** A valid, harmless request: read-only ones may name real processes, acting ones never do. */
function validRequest(rng: Rng, target: Target): Record<string, Json> {
  const id = rng.pick([0, 1, 2, 7, 42, 2 ** 31, 2 ** 53 - 1]);
  const real = (): string => rng.pick([...target.processes, ...target.programs, 'all', 'nosuch']);
  const fake = (): string => rng.pick(['nosuch', 'nosuch:1', 'ghost:*', 'web:9', 'x'.repeat(rng.between(1, 200))]);
  const jobId = (): string => rng.pick(['', '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', 'nosuch', 'x'.repeat(rng.between(1, 200))]);
  switch (rng.int(14)) {
    case 0:
      return { id, cmd: 'hello', version: PROTOCOL_VERSION };
    case 1:
      return { id, cmd: 'status', names: Array.from({ length: rng.int(3) }, real) };
    case 2:
      return { id, cmd: 'pid', name: rng.chance(0.3) ? null : real() };
    case 3:
      return { id, cmd: 'version' };
    case 4:
      return { id, cmd: 'config', name: real() };
    case 5:
      return { id, cmd: 'tail', name: real(), stream: rng.pick(['OUTPUT_STREAM_STDOUT', 'OUTPUT_STREAM_STDERR', 'OUTPUT_STREAM_UNSPECIFIED', 2]), lines: rng.pick([0, 1, 10, 2 ** 32 - 1]), follow: false };
    case 6:
      return { id, cmd: 'maintail', lines: rng.pick([0, 1, 5, 2 ** 32 - 1]), follow: false };
    case 7:
      return { id, cmd: 'signal', signal: rng.pick(['TERM', 'HUP', 'BOGUS', '0', '99']), names: [fake()] };
    case 8:
      return rng.chance(0.5) ? { id, cmd: 'ps', job_id: jobId() } : { id, cmd: 'list' };
    case 9:
      return { id, cmd: 'logs', job_id: jobId(), follow: false };
    default:
      return { id, cmd: rng.pick(['start', 'stop', 'restart']), names: rng.chance(0.1) ? [] : Array.from({ length: rng.between(1, 3) }, fake) };
  }
}

function mutate(rng: Rng, req: Record<string, Json>): Record<string, Json> {
  const keys = Object.keys(req);
  const key = rng.pick(keys);
  switch (rng.int(9)) {
    case 0: // a missing field
      delete req[key];
      break;
    case 1: // an extra field
      put(req, rng.pick(KEYS.filter((k) => !keys.includes(k))), randomValue(rng));
      break;
    case 2: // a value of the wrong type
    case 3:
      if (key !== 'cmd') req[key] = randomValue(rng);
      break;
    case 4: // a command that is not quite one
      req.cmd = rng.pick([
        String(req.cmd).toUpperCase(),
        `${String(req.cmd)}\u0000`,
        ` ${String(req.cmd)}`,
        `${String(req.cmd)}s`,
        randomString(rng),
        42,
        null,
        [String(req.cmd)],
      ]);
      break;
    case 5: // a huge or odd number
      req[rng.pick(['id', 'lines', 'version'])] = rng.pick(NUMBERS);
      break;
    case 6: // deep nesting, occasionally past what JSON.stringify can walk back
      req[key === 'cmd' ? 'names' : key] = new Deep(randomValue(rng), rng.weighted([[10, rng.between(10, 1000)], [1, rng.between(50_000, 200_000)]]), rng.chance(0.5));
      break;
    case 7: // many names
      req.names = Array.from({ length: rng.between(100, 20_000) }, () => rng.pick(['nosuch', 'n\u00e9ant', '\u0000', 'x:*']));
      break;
    default: // unicode and NULs in every string
      for (const k of keys) if (typeof req[k] === 'string') req[k] = `${req[k] as string}${rng.pick(['\u0000', '\ud83d\ude00', '\ud800', '\u202e', '\u00ad'])}`;
  }
  return req;
}

/** Text-level damage to a serialized request. */
function damage(rng: Rng, text: string): string {
  switch (rng.int(8)) {
    case 0: // cut short
      return text.slice(0, rng.int(text.length));
    case 1: // two requests on one line
      return text + text;
    case 2: // a raw NUL or control byte somewhere
      return insertAt(rng, text, rng.pick(['\u0000', '\r', '\u001b', '\u007f']));
    case 3: // a number literal JSON.stringify never writes
      return text.replace(/("(?:id|lines|version)":)-?[\d.e+]+/, `$1${rng.pick(RAW_NUMBERS)}`);
    case 4: // a stray structural character
      return insertAt(rng, text, rng.pick(['{', '}', '[', ']', ',', ':', '"', '\\']));
    case 5: // a CR before the newline, or a byte order mark before the object
      return rng.chance(0.5) ? `${text}\r` : `\ufeff${text}`;
    case 6: // duplicate keys: the last one wins in JSON.parse
      return text.replace(/^\{/, `{"cmd":${stringify(randomValue(rng))},`);
    default: // a trailing comma or garbage after the object
      return rng.chance(0.5) ? text.replace(/\}$/, ',}') : `${text} x`;
  }
}

function insertAt(rng: Rng, text: string, what: string): string {
  const at = rng.int(text.length + 1);
  return text.slice(0, at) + what + text.slice(at);
}

function randomBytes(rng: Rng): Buffer {
  const n = rng.weighted([[10, rng.between(1, 64)], [2, rng.between(65, 4096)], [1, rng.between(4097, 200_000)]]);
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) {
    const byte = rng.int(256);
    b[i] = byte === 0x0a ? 0x0b : byte;
  }
  return b;
}

const TOKENS = ['{', '}', '[', ']', ':', ',', '"', '"id"', '"cmd"', '"status"', '"names"', '1', '-', '.', 'e', 'true', 'null', 'fals', '\\u00', '\\', ' ', '\t', '0', '"\u0000"'];

/** Text that looks like JSON: right alphabet, wrong grammar (mostly). */
function jsonNoise(rng: Rng): string {
  let s = '';
  for (let i = rng.between(1, 60); i > 0; i--) s += rng.pick(TOKENS);
  return s;
}

function oversized(rng: Rng): Buffer {
  // Over the limit by a little or a lot; the newline comes after the limit was passed.
  return Buffer.alloc(MAX_LINE_BYTES + rng.between(1, 64 * 1024), rng.pick([0x20, 0x7b, 0x61, 0x00]));
}

function oneCase(rng: Rng, target: Target): FuzzCase {
  const kind = rng.weighted<string>([
    [20, 'random-bytes'],
    [10, 'json-noise'],
    [15, 'valid'],
    [40, 'mutated'],
    [12, 'damaged'],
    [0.4, 'oversized'],
    [1, 'blank'],
  ]);
  switch (kind) {
    case 'random-bytes':
      return { kind, line: randomBytes(rng) };
    case 'json-noise':
      return { kind, line: Buffer.from(jsonNoise(rng)) };
    case 'valid':
      return { kind, line: Buffer.from(stringify(validRequest(rng, target))) };
    case 'mutated': {
      let req = validRequest(rng, target);
      for (let i = rng.between(1, 3); i > 0; i--) req = mutate(rng, req);
      return { kind, line: Buffer.from(stringify(req)) };
    }
    case 'damaged':
      return { kind, line: Buffer.from(damage(rng, stringify(mutate(rng, validRequest(rng, target))))) };
    case 'oversized':
      return { kind, line: oversized(rng) };
    default:
      return { kind, line: Buffer.from(rng.pick(['', ' ', '\t', '\r', '\ufeff', ' \u00a0 '])) };
  }
}

/** A harmless case; every 0x0a is out so the case stays one line. */
export function generateCase(rng: Rng, target: Target): FuzzCase {
  for (;;) {
    const c = oneCase(rng, target);
    for (let i = c.line.indexOf(0x0a); i !== -1; i = c.line.indexOf(0x0a, i + 1)) c.line[i] = 0x0b;
    if (!harmful(c.line, target)) return c;
  }
}
