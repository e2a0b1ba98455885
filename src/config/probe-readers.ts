// The probes that `ready:` and `healthcheck:` share (src/probes/): tcp, http,
// exec, read and shown the same way in both places, so a target that is good
// for one is good for the other, with the same error.
import { isScalar } from 'yaml';
import { readDuration, readString } from './fields';
import type { Scope } from './issues';
import { expected, type Field } from './nodes';

export type ProbeSpec =
  | { kind: 'tcp'; host: string; port: number } // the port accepts a connection
  | { kind: 'http'; url: string } // the URL answers 2xx
  | { kind: 'exec'; cmd: string }; // `sh -c CMD` exits 0, as the program's user, in its dir, with its env

/** `tcp: 8080` is this host: 127.0.0.1, where a server bound to any address answers. */
const DEFAULT_HOST = '127.0.0.1';

/** PORT, HOST:PORT or [IPv6]:PORT. */
export function readTcpTarget(s: Scope, f: Field): { host: string; port: number } | undefined {
  const value = f.node !== null && isScalar(f.node) ? f.node.value : undefined;
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const m = /^(?:(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+)):)?(\d{1,5})$/.exec(text);
  const port = m === null ? 0 : Number(m[3]);
  if (m !== null && port >= 1 && port <= 65535) return { host: m[1] ?? m[2] ?? DEFAULT_HOST, port };
  s.error(f.at, f.name, expected('a port from 1 to 65535, or HOST:PORT (e.g. 8080, 127.0.0.1:8080, [::1]:8080)', f.node));
  return undefined;
}

export function readHttpUrl(s: Scope, f: Field): string | undefined {
  const what = 'an http:// or https:// URL (e.g. http://127.0.0.1:8080/health)';
  const text = readString(s, f, what);
  if (text === undefined) return undefined;
  try {
    const url = new URL(text.trim());
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '') return text.trim();
  } catch {
    // reported below
  }
  s.error(f.at, f.name, expected(what, f.node));
  return undefined;
}

export function readExecCommand(s: Scope, f: Field): string | undefined {
  return readString(s, f, 'a command line for sh -c (a non-empty string)')?.trim();
}

/** A duration above zero (ready_timeout, watchdog_sec, a check's interval and timeout): zero would fire at once, always. */
export function readPositiveDuration(s: Scope, f: Field): number | undefined {
  const seconds = readDuration(s, f);
  if (seconds === undefined || seconds > 0) return seconds;
  s.error(f.at, f.name, expected('a duration above 0 (e.g. 30, 500ms, 90s, 2m)', f.node));
  return undefined;
}

/** "127.0.0.1:8080", "[::1]:8080": as written in the config, and in reasons. */
export function showTcpTarget(t: { host: string; port: number }): string {
  return `${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
}

/** The probe in the config's own vocabulary; reads back as the same. */
export function showProbe(p: ProbeSpec): Record<string, string> {
  switch (p.kind) {
    case 'tcp':
      return { tcp: showTcpTarget(p) };
    case 'http':
      return { http: p.url };
    case 'exec':
      return { exec: p.cmd };
  }
}
