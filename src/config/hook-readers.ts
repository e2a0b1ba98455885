// The hooks' settings (on_exit, on_fatal, on_state, of a program or of the
// daemon) and fatal_action: `{exec: CMD}` or `{webhook: URL}`, with a timeout
// and, for a webhook, retries. A hook is a small table of its own, read like
// the others, so a mistake in one is reported at its file:line:col.
import { isMap } from 'yaml';
import { splitCommand } from './command';
import { field, keysOf, knownFields, readFields } from './field-table';
import { readDuration, readInt, readString } from './fields';
import type { Scope } from './issues';
import { expected, isNull, type Field } from './nodes';
import type { SourceFile } from './source';

const DEFAULT_TIMEOUT = 10; // seconds
const DEFAULT_RETRIES = 3;
const MAX_RETRIES = 10;

export type HookSpec =
  // argv: cmd split as a program's is (no shell: `sh -c '…'` for one).
  | { kind: 'exec'; cmd: string; argv: string[]; timeout: number }
  | { kind: 'webhook'; url: string; timeout: number; retries: number };

/** What a program going FATAL does besides: nothing more, or stop every program and exit (non-zero). */
export const FATAL_ACTIONS = ['none', 'shutdown'] as const;
export type FatalAction = (typeof FATAL_ACTIONS)[number];

const HOOK_FIELDS = {
  exec: field<string>({ default: '', read: (s, f) => readString(s, f, 'a command line (a non-empty string)'), onChange: 'in-place' }),
  webhook: field<string>({ default: '', read: readWebhookUrl, onChange: 'in-place' }),
  // Seconds for the command to end, or for each POST to be answered; then killed / abandoned.
  timeout: field<number>({ default: DEFAULT_TIMEOUT, read: readTimeout, onChange: 'in-place' }),
  // Webhooks only: POSTs again after a failure, waiting 1 s, 2 s, 4 s… between them.
  retries: field<number>({ default: DEFAULT_RETRIES, read: (s, f) => readInt(s, f, 0, MAX_RETRIES), onChange: 'in-place' }),
};

const HOOK_SHAPE = `a map with exec (a command) or webhook (an http or https URL), and optionally ${keysOf(HOOK_FIELDS)
  .slice(2)
  .join(', ')}, e.g. {exec: /usr/local/bin/alert}`;

/** A hook setting: null when absent or null; undefined after reporting why it was refused. */
export function readHook(s: Scope, f: Field, src: SourceFile): HookSpec | null | undefined {
  if (isNull(f.node)) return null;
  if (f.node === null || !isMap(f.node)) {
    s.error(f.at, f.name, expected(HOOK_SHAPE, f.node));
    return undefined;
  }
  const hs = s.below(f.name);
  const errorsBefore = s.issues.errors.length;
  const fields = knownFields(HOOK_FIELDS, src, hs, f.node);
  const read = readFields(HOOK_FIELDS, fields, hs, src, f.keyAt);
  const [exec, webhook] = [fields.get('exec'), fields.get('webhook')];
  if ((exec === undefined) === (webhook === undefined)) {
    s.error(f.at, f.name, `expected exactly one of exec or webhook, got ${exec === undefined ? 'neither' : 'both'}`);
    return undefined;
  }
  const retries = fields.get('retries');
  if (exec !== undefined && retries !== undefined) hs.error(retries.keyAt, 'retries', 'retries is for a webhook; a failed exec hook is not run again');
  if (s.issues.errors.length > errorsBefore) return undefined;
  const timeout = read.timeout ?? DEFAULT_TIMEOUT;
  if (read.webhook !== undefined) return { kind: 'webhook', url: read.webhook, timeout, retries: read.retries ?? DEFAULT_RETRIES };
  const split = splitCommand(read.exec!);
  if (!split.ok) {
    hs.error(exec!.at, 'exec', split.message);
    return undefined;
  }
  return { kind: 'exec', cmd: read.exec!, argv: split.argv, timeout };
}

/** A hook in the config's own words: what `taskmasterctl config` shows, and what reads back as the same hook. */
export function showHook(hook: HookSpec | null): Record<string, unknown> | null {
  if (hook === null) return null;
  switch (hook.kind) {
    case 'exec':
      return { exec: hook.cmd, timeout: hook.timeout };
    case 'webhook':
      return { webhook: hook.url, timeout: hook.timeout, retries: hook.retries };
    default:
      return unknownHook(hook);
  }
}

function unknownHook(hook: never): never {
  throw new Error(`unknown hook ${JSON.stringify(hook)}`);
}

function readTimeout(s: Scope, f: Field): number | undefined {
  const seconds = readDuration(s, f);
  if (seconds === undefined || seconds > 0) return seconds;
  s.error(f.at, f.name, expected('a duration > 0 (e.g. 10, 2.5, 30s)', f.node));
  return undefined;
}

function readWebhookUrl(s: Scope, f: Field): string | undefined {
  const what = 'an http or https URL, e.g. "https://alerts.example/hook"';
  const text = readString(s, f, what);
  if (text === undefined) return undefined;
  try {
    const url = new URL(text.trim());
    if (url.protocol === 'http:' || url.protocol === 'https:') return text.trim();
  } catch {
    // reported below
  }
  s.error(f.at, f.name, expected(what, f.node));
  return undefined;
}
