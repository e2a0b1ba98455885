// `ready:`, the check that ends STARTING (README "Readiness"): `notify`, or a
// map of one kind to its target. Each reader returns the value, or undefined
// after reporting why it was refused, with the file:line:col of the value.
import { isMap, isScalar } from 'yaml';
import { readDuration } from './fields';
import type { Scope } from './issues';
import { expected, fieldsOf, isNull, type Field } from './nodes';
import type { SourceFile } from './source';

export type ReadyCheck =
  | { kind: 'notify' } // sd_notify READY=1 on NOTIFY_SOCKET
  | { kind: 'log'; pattern: string } // a line of output matches
  | { kind: 'tcp'; host: string; port: number } // the port accepts a connection
  | { kind: 'http'; url: string } // the URL answers 2xx
  | { kind: 'exec'; cmd: string }; // the command exits 0

const KINDS = ['notify', 'log: REGEX', 'tcp: PORT or HOST:PORT', 'http: URL', 'exec: COMMAND'];
const WHAT = `notify or a map of one check (${KINDS.slice(1).join(', ')})`;

/** `tcp: 8080` is this host; a port alone means 127.0.0.1, where a server bound to any address answers. */
const DEFAULT_HOST = '127.0.0.1';

export function readReady(s: Scope, f: Field, src: SourceFile): ReadyCheck | null | undefined {
  if (isNull(f.node)) return null;
  if (f.node !== null && isScalar(f.node) && f.node.value === 'notify') return { kind: 'notify' };
  if (f.node === null || !isMap(f.node) || f.node.items.length !== 1) {
    s.error(f.at, f.name, expected(WHAT, f.node));
    return undefined;
  }
  const [entry] = fieldsOf(src, s.below(f.name), f.node);
  if (entry === undefined) return undefined; // a bad key, reported by fieldsOf
  const inner = s.below(f.name);
  const text = entry.node !== null && isScalar(entry.node) && (typeof entry.node.value === 'string' || typeof entry.node.value === 'number') ? String(entry.node.value).trim() : '';
  switch (entry.name) {
    case 'log':
      return readPattern(inner, entry, text);
    case 'tcp':
      return readTcp(inner, entry, text);
    case 'http':
      return readUrl(inner, entry, text);
    case 'exec':
      if (text !== '') return { kind: 'exec', cmd: text };
      inner.error(entry.at, entry.name, expected('a command line (a non-empty string)', entry.node));
      return undefined;
    default:
      inner.error(entry.keyAt, entry.name, `unknown readiness check "${entry.name}": expected one of log, tcp, http, exec (or ready: notify)`);
      return undefined;
  }
}

function readPattern(s: Scope, f: Field, text: string): ReadyCheck | undefined {
  if (text === '') {
    s.error(f.at, f.name, expected('a regular expression (a non-empty string)', f.node));
    return undefined;
  }
  try {
    new RegExp(text);
    return { kind: 'log', pattern: text };
  } catch (err) {
    s.error(f.at, f.name, `expected a regular expression, got ${JSON.stringify(text)}: ${(err as Error).message}`);
    return undefined;
  }
}

function readTcp(s: Scope, f: Field, text: string): ReadyCheck | undefined {
  // HOST:PORT, [IPv6]:PORT, or PORT alone.
  const m = /^(?:\[([^\]]+)\]:|([^:\s]+):)?(\d+)$/.exec(text);
  const port = m === null ? NaN : Number(m[3]);
  if (m !== null && Number.isInteger(port) && port >= 1 && port <= 65535) return { kind: 'tcp', host: m[1] ?? m[2] ?? DEFAULT_HOST, port };
  s.error(f.at, f.name, expected('a port from 1 to 65535, or HOST:PORT (e.g. 8080, 127.0.0.1:8080, [::1]:8080)', f.node));
  return undefined;
}

function readUrl(s: Scope, f: Field, text: string): ReadyCheck | undefined {
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {
    // reported below
  }
  if (url !== null && (url.protocol === 'http:' || url.protocol === 'https:')) return { kind: 'http', url: text };
  s.error(f.at, f.name, expected('an http:// or https:// URL (e.g. http://127.0.0.1:8080/health)', f.node));
  return undefined;
}

/** A duration above zero (ready_timeout, watchdog_sec): zero would fail every start at once. */
export function readPositiveDuration(s: Scope, f: Field): number | undefined {
  const seconds = readDuration(s, f);
  if (seconds === undefined || seconds > 0) return seconds;
  s.error(f.at, f.name, expected('a duration above 0 (e.g. 30, 90s, 2m)', f.node));
  return undefined;
}

/** As written in the config: `notify`, or `{ tcp: "127.0.0.1:8080" }`. */
export function showReady(check: ReadyCheck | null): unknown {
  if (check === null) return null;
  switch (check.kind) {
    case 'notify':
      return 'notify';
    case 'log':
      return { log: check.pattern };
    case 'tcp':
      return { tcp: `${check.host.includes(':') ? `[${check.host}]` : check.host}:${check.port}` };
    case 'http':
      return { http: check.url };
    case 'exec':
      return { exec: check.cmd };
  }
}
