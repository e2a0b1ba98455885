// Mutated configs for the config fuzz: valid files damaged at the text level
// (lines deleted, duplicated, swapped, re-indented; characters flipped; YAML
// specials, tabs, NULs, long strings and huge numbers inserted) and at the
// value level (each key given values of the wrong type).
import type { Rng } from '../fixtures/seeded-random';

/** A valid main config; `dir` holds its socket, logs and `extra.yaml`. */
export function baseConfig(dir: string): string {
  return `taskmasterd:
  socket: ${dir}/run/tm.sock
  socket_mode: "0770"
  logfile: ${dir}/log/taskmasterd.log
  logfile_maxbytes: 1MB
  logfile_backups: 3
  logfile_frequency: daily
  childlogdir: ${dir}/children
  loglevel: info
  umask: "022"
  socket_owner: root:daemon
include: [extra.yaml]
programs:
  web:
    cmd: "/bin/sleep 1000"
    numprocs: 2
    umask: 022
    workingdir: /tmp
    autostart: true
    autorestart: unexpected
    exitcodes: [0, 2]
    startretries: 3
    starttime: 0.5
    stopsignal: TERM
    stoptime: 2
    restartdelay: 1
    restartdelay_max: 8
    stdout: ${dir}/out/%(process_num)d.log
    stderr: none
    stdout_maxbytes: 10KB
    stdout_backups: 2
    env: {STARTED_BY: taskmaster, ANSWER: 42}
    priority: 10
    stopasgroup: true
    killasgroup: true
  worker:
    cmd: /bin/sh -c 'sleep 1000'
    autostart: false
    redirect_stderr: true
    user: nobody
    env:
      MODE: batch
`;
}

export const EXTRA = `programs:
  extra:
    cmd: /bin/sleep 1000
    stopsignal: INT
    exitcodes: 0
`;

const SPECIALS = [
  '&', '&a ', '*', '*a', '*nosuch', '!!', '!!str ', '!!int ', '!!binary ', '!!map ', '!!seq ', '!local ', '{', '}', '[', ']', ':', ': ', ' :',
  '- ', '? ', '|', '>', '|-', '%', '@', '`', '#', ' #', '"', "'", ',', '\t', '\u0000', '\ufeff', '\r', '\u2028', '\\', '<<: *a\n',
  '---\n', '...\n', '%YAML 1.1\n', '%TAG ! tag:x,2000:\n',
];

const VALUES = [
  '[1, 2]', '[]', '{a: 1}', '{}', '"text"', "'text'", 'text', 'true', 'false', 'yes', 'no', 'on', '~', 'null', '', '-1', '0', '1', '1.5', '-0.0',
  '1e400', '-1e400', '99999999999999999999999', '9007199254740993', '0x1F', '0o777', '0777', '0b101', '.inf', '-.inf', '.nan', '"0777"',
  "'022'", '""', '2001-12-14', '12:30:00', '1_000', '!!binary aGVsbG8=', '!!str 5', '!!int x', '!!float x', '!!bool x', '!!null x', '!custom x',
  '&a 5', '*a', '*nosuch', '|\n      multi\n      line', '>-\n      folded', '- item', '[', '{', '"unterminated', '\'', 'a: b', '? x',
  '"\\u0000"', '"\\x00"', '"\\uD800"', '%(process_num)d', '%(nosuch)s', '%(process_num', 'SIGKILL', 'KILL', 'SIGNOPE', '99', 'all', 'root:root:root',
  'nosuchuser', '~/x', '../x', '/', 'a\tb',
];

// Long values; a 100,000-character one is rarer, as it costs the parser a lot more.
const LONG = (rng: Rng): string => rng.pick(['x', 'é', '9', '%', '{']).repeat(rng.weighted([[20, 1_000], [6, 10_000], [1, 100_000]]));

function lines(text: string): string[] {
  return text.split('\n');
}

/** Text-level damage: the file as a whole. */
function mutateText(rng: Rng, text: string): string {
  const ls = lines(text);
  const i = rng.int(ls.length);
  const j = rng.int(ls.length);
  const line = ls[i]!;
  switch (rng.int(11)) {
    case 0:
      ls.splice(i, 1);
      break;
    case 1:
      ls.splice(i, 0, line);
      break;
    case 2:
      [ls[i], ls[j]] = [ls[j]!, line];
      break;
    case 3: {
      // re-indent: more, less, or a tab
      const body = line.trimStart();
      const indent = line.length - body.length;
      ls[i] = rng.pick([' '.repeat(indent + rng.between(1, 4)), ' '.repeat(Math.max(0, indent - rng.between(1, 4))), '\t', ' \t', '\t'.repeat(rng.between(1, 3))]) + body;
      break;
    }
    case 4: {
      // flip a character
      if (line.length === 0) break;
      const at = rng.int(line.length);
      ls[i] = line.slice(0, at) + rng.pick([...'&*!{}[]:-?|>%@`#"\',\t \\x0Z~é']) + line.slice(at + 1);
      break;
    }
    case 5: {
      const at = rng.int(line.length + 1);
      ls[i] = line.slice(0, at) + rng.pick(SPECIALS) + line.slice(at);
      break;
    }
    case 6: {
      const at = rng.int(line.length + 1);
      ls[i] = line.slice(0, at) + rng.pick([LONG(rng), '99999999999999999999999999999', '1e400', '-1e-400', '0x' + 'f'.repeat(40)]) + line.slice(at);
      break;
    }
    case 7:
      // cut the file short, possibly mid-line
      return text.slice(0, rng.int(text.length));
    case 8:
      // a second document, or the first one again
      return rng.chance(0.5) ? `${text}---\n${text}` : `${text}\n${rng.pick(ls)}`;
    case 9: {
      // deep nesting on one value
      const depth = rng.weighted([[8, 10], [8, 100], [2, 1000], [1, 5000]]);
      const open = rng.chance(0.5) ? '[' : '{a: ';
      const close = open === '[' ? ']' : '}';
      ls[i] = `${line}${open.repeat(depth)}1${close.repeat(rng.chance(0.8) ? depth : rng.int(depth))}`;
      break;
    }
    default:
      // aliases: an anchor on one line's value, the alias on another's
      ls[i] = line.replace(/: (\S)/, ': &a $1');
      ls[j] = ls[j]!.replace(/: .*$/, rng.pick([': *a', ': [*a, *a]', ': {<<: *a}']));
  }
  return ls.join('\n');
}

const KEY_LINE = /^(\s*)([A-Za-z_]+):( .*)?$/;

/** Value-level damage: one `key: value` line gets a value of some other type. */
function mutateValue(rng: Rng, text: string): string {
  const ls = lines(text);
  const candidates = ls.map((l, i) => (KEY_LINE.test(l) ? i : -1)).filter((i) => i >= 0);
  if (candidates.length === 0) return text;
  const i = rng.pick(candidates);
  const [, indent, key] = KEY_LINE.exec(ls[i]!)!;
  const value = rng.chance(0.03) ? LONG(rng) : rng.pick(VALUES);
  ls[i] = `${indent}${key}: ${value}`;
  // A map or list value that followed on later, deeper lines now dangles; drop it sometimes.
  if (rng.chance(0.5)) {
    let k = i + 1;
    while (k < ls.length && (ls[k]!.length - ls[k]!.trimStart().length > indent!.length || ls[k]!.trim() === '')) k++;
    if (k > i + 1 && k < ls.length) ls.splice(i + 1, k - i - 1);
  }
  return ls.join('\n');
}

/** 1–3 mutations of `text`, text- or value-level. */
export function mutateConfig(rng: Rng, text: string): string {
  let out = text;
  for (let n = rng.weighted([[6, 1], [3, 2], [1, 3]] as const); n > 0; n--) {
    out = rng.chance(0.5) ? mutateText(rng, out) : mutateValue(rng, out);
  }
  return out;
}

/** Bytes that are not UTF-8 at all, sometimes: a file is bytes before it is text. */
export function maybeBinary(rng: Rng, text: string): Buffer {
  const buf = Buffer.from(text);
  if (!rng.chance(0.03) || buf.length === 0) return buf;
  const at = rng.int(buf.length);
  return Buffer.concat([buf.subarray(0, at), Buffer.from(rng.pick([[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0x00, 0x00]])), buf.subarray(at)]);
}
