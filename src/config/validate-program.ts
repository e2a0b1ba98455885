// One program's settings: from a YAML map to a ProgramConfig. Every key is
// checked even after a bad one, so one run lists all of a program's mistakes.
import { isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import { splitCommand } from './command';
import { DEFAULT_PROGRAM } from './defaults';
import { variesPerInstance } from './expand';
import { readBool, readBytes, readInt, readOctal, readPath, readSeconds, readSignal, readString } from './fields';
import type { Pos, Scope } from './issues';
import { deref, expected, fieldsOf, isNull, posOf, sourceText, type Field, type YamlValue } from './nodes';
import type { SourceFile } from './source';
import { unknownKeyMessage } from './suggest';
import type { AutoRestart, LogTarget, ProgramConfig } from './types';

export const PROGRAM_KEYS = [
  'cmd', 'numprocs', 'umask', 'workingdir', 'autostart', 'autorestart', 'exitcodes', 'startretries',
  'starttime', 'stopsignal', 'stoptime', 'stdout', 'stderr', 'env', 'user', 'priority', 'stopasgroup',
  'killasgroup', 'restartdelay', 'restartdelay_max', 'redirect_stderr', 'stdout_maxbytes', 'stdout_backups', 'stderr_maxbytes', 'stderr_backups',
] as const;

const AUTORESTART: Record<string, AutoRestart> = { true: 'always', false: 'never', unexpected: 'unexpected' };

/** `s` is the program's scope; `nameAt` where its name is written. */
export function validateProgram(src: SourceFile, s: Scope, name: string, nameAt: Pos, node: YamlValue | null): ProgramConfig {
  if (node === null || !isMap(node)) {
    s.error(isNull(node) ? nameAt : posOf(src, node), null, expected('a map of settings with at least "cmd"', node));
    return withDefaults(name, '', [], {});
  }
  return readProgramMap(src, s, name, nameAt, node);
}

function readProgramMap(src: SourceFile, s: Scope, name: string, nameAt: Pos, map: YAMLMap): ProgramConfig {
  const fields = new Map<string, Field>();
  for (const f of fieldsOf(src, s, map)) {
    if ((PROGRAM_KEYS as readonly string[]).includes(f.name)) fields.set(f.name, f);
    else s.error(f.keyAt, f.name, unknownKeyMessage(f.name, PROGRAM_KEYS));
  }
  function pick<T>(key: string, read: (f: Field) => T | undefined, fallback: T): T {
    const f = fields.get(key);
    const value = f === undefined ? undefined : read(f);
    return value === undefined ? fallback : value;
  }
  const { cmd, argv } = readCmd(s, fields.get('cmd'), nameAt);
  const d = DEFAULT_PROGRAM;
  const p = withDefaults(name, cmd, argv, {
    numprocs: pick('numprocs', (f) => readInt(s, f, 1, 10000), d.numprocs),
    umask: pick('umask', (f) => (isNull(f.node) ? null : readOctal(s, f, 0o777)), d.umask),
    workingdir: pick('workingdir', (f) => readPath(s, f, true), d.workingdir),
    autostart: pick('autostart', (f) => readBool(s, f), d.autostart),
    autorestart: pick('autorestart', (f) => readAutorestart(s, f), d.autorestart),
    exitcodes: pick('exitcodes', (f) => readExitCodes(src, s, f), [...d.exitcodes]),
    startretries: pick('startretries', (f) => readInt(s, f, 0), d.startretries),
    starttime: pick('starttime', (f) => readSeconds(s, f), d.starttime),
    stopsignal: pick('stopsignal', (f) => readSignal(s, f), d.stopsignal),
    stoptime: pick('stoptime', (f) => readSeconds(s, f), d.stoptime),
    restartdelay: pick('restartdelay', (f) => readSeconds(s, f), d.restartdelay),
    restartdelay_max: pick('restartdelay_max', (f) => readSeconds(s, f), d.restartdelay_max),
    stdout: pick<LogTarget>('stdout', (f) => readTarget(s, f), { kind: 'auto' }),
    stderr: pick<LogTarget>('stderr', (f) => readTarget(s, f), { kind: 'auto' }),
    stdout_maxbytes: pick('stdout_maxbytes', (f) => readBytes(s, f), d.stdout_maxbytes),
    stdout_backups: pick('stdout_backups', (f) => readInt(s, f, 0), d.stdout_backups),
    stderr_maxbytes: pick('stderr_maxbytes', (f) => readBytes(s, f), d.stderr_maxbytes),
    stderr_backups: pick('stderr_backups', (f) => readInt(s, f, 0), d.stderr_backups),
    redirect_stderr: pick('redirect_stderr', (f) => readBool(s, f), d.redirect_stderr),
    env: pick('env', (f) => readEnv(src, s, f), {}),
    user: pick('user', (f) => readUser(s, f), d.user),
    priority: pick('priority', (f) => readInt(s, f), d.priority),
    stopasgroup: pick('stopasgroup', (f) => readBool(s, f), d.stopasgroup),
  });
  p.killasgroup = pick('killasgroup', (f) => readBool(s, f), p.stopasgroup);
  checkCrossFields(s, p, fields);
  return p;
}

function withDefaults(name: string, cmd: string, argv: string[], read: Partial<ProgramConfig>): ProgramConfig {
  const d = DEFAULT_PROGRAM;
  return {
    name, cmd, argv,
    numprocs: d.numprocs, umask: d.umask, workingdir: d.workingdir, autostart: d.autostart,
    autorestart: d.autorestart, exitcodes: [...d.exitcodes], startretries: d.startretries,
    starttime: d.starttime, stopsignal: d.stopsignal, stoptime: d.stoptime,
    restartdelay: d.restartdelay, restartdelay_max: d.restartdelay_max,
    stdout: { kind: 'auto' }, stderr: { kind: 'auto' },
    stdout_maxbytes: d.stdout_maxbytes, stdout_backups: d.stdout_backups,
    stderr_maxbytes: d.stderr_maxbytes, stderr_backups: d.stderr_backups,
    redirect_stderr: d.redirect_stderr, env: {}, user: d.user, priority: d.priority,
    stopasgroup: d.stopasgroup, killasgroup: read.stopasgroup ?? d.stopasgroup,
    ...read,
  };
}

function readCmd(s: Scope, f: Field | undefined, nameAt: Pos): { cmd: string; argv: string[] } {
  if (f === undefined) {
    s.error(nameAt, 'cmd', 'missing required key "cmd": expected the command line to run');
    return { cmd: '', argv: [] };
  }
  const cmd = readString(s, f, 'a command line (a non-empty string)');
  if (cmd === undefined) return { cmd: '', argv: [] };
  const split = splitCommand(cmd);
  if (!split.ok) {
    s.error(f.at, f.name, split.message);
    return { cmd, argv: [] };
  }
  return { cmd, argv: split.argv };
}

function readAutorestart(s: Scope, f: Field): AutoRestart | undefined {
  const value = f.node !== null && isScalar(f.node) ? f.node.value : undefined;
  const mode = typeof value === 'boolean' || value === 'unexpected' ? AUTORESTART[String(value)] : undefined;
  if (mode === undefined) s.error(f.at, f.name, expected('true, false or unexpected', f.node));
  return mode;
}

function readExitCodes(src: SourceFile, s: Scope, f: Field): number[] | undefined {
  if (f.node !== null && isScalar(f.node) && typeof f.node.value === 'number') {
    const code = readInt(s, f, 0, 255);
    return code === undefined ? undefined : [code];
  }
  if (f.node === null || !isSeq(f.node) || f.node.items.length === 0) {
    s.error(f.at, f.name, expected('an exit code from 0 to 255 or a non-empty list of them', f.node));
    return undefined;
  }
  const codes: number[] = [];
  f.node.items.forEach((item, i) => {
    const element: Field = { name: `${f.name}[${i}]`, keyAt: f.keyAt, node: deref(src, item), at: posOf(src, item) };
    const code = readInt(s, element, 0, 255);
    if (code !== undefined) codes.push(code);
  });
  return codes.length === f.node.items.length ? codes : undefined;
}

/** `none`, or a path; absent means a file in childlogdir (the caller's default). */
function readTarget(s: Scope, f: Field): LogTarget | undefined {
  const value = f.node !== null && isScalar(f.node) ? f.node.value : undefined;
  if (typeof value === 'string' && value.trim().toLowerCase() === 'none') return { kind: 'none' };
  if (typeof value !== 'string') {
    s.error(f.at, f.name, expected('a path or none', f.node));
    return undefined;
  }
  const path = readPath(s, f, false);
  return typeof path === 'string' ? { kind: 'file', path } : undefined;
}

/** Values are kept as written: `ANSWER: 42` is "42" and `on` stays "on",
 *  since the child sees text, not YAML's reading of it. */
function readEnv(src: SourceFile, s: Scope, f: Field): Record<string, string> | undefined {
  if (f.node === null || !isMap(f.node)) {
    s.error(f.at, f.name, expected('a map of NAME: value', f.node));
    return undefined;
  }
  const envScope = s.below(f.name);
  const env: Record<string, string> = {};
  for (const entry of fieldsOf(src, envScope, f.node)) {
    if (entry.name === '' || /[=\0]/.test(entry.name)) {
      envScope.error(entry.keyAt, entry.name, `expected a variable name that is non-empty and holds no "=", got ${JSON.stringify(entry.name)}`);
    } else if (entry.node === null || !isScalar(entry.node) || entry.node.value === null) {
      envScope.error(entry.at, entry.name, expected('a string, number or boolean (write "" for an empty value)', entry.node));
    } else {
      env[entry.name] = sourceText(entry.node);
    }
  }
  return env;
}

function readUser(s: Scope, f: Field): string | null | undefined {
  if (isNull(f.node)) return null;
  const node = f.node !== null && isScalar(f.node) ? f.node : null;
  if (typeof node?.value === 'number' && Number.isSafeInteger(node.value) && node.value >= 0) return sourceText(node);
  return readString(s, f, 'a user name or numeric uid');
}

function checkCrossFields(s: Scope, p: ProgramConfig, fields: Map<string, Field>): void {
  const stderrField = fields.get('stderr');
  if (p.redirect_stderr && stderrField !== undefined) {
    s.warn(stderrField.keyAt, 'stderr', 'stderr is ignored because redirect_stderr is true (stderr goes to stdout)');
  }
  const streams = p.redirect_stderr ? (['stdout'] as const) : (['stdout', 'stderr'] as const);
  for (const stream of streams) {
    const target = p[stream];
    const f = fields.get(stream);
    if (p.numprocs > 1 && target.kind === 'file' && f !== undefined && !variesPerInstance(target.path)) {
      s.error(f.at, stream, `with numprocs ${p.numprocs}, all instances would write to one file; expected a path containing %(process_num)d (or %(process_num)02d) or %(process_name)s, got ${JSON.stringify(target.path)}`);
    }
  }
}
