// `ready:`, the check that ends STARTING (README "Readiness"): `notify`, or a
// map of one kind to its target. Each reader returns the value, or undefined
// after reporting why it was refused, with the file:line:col of the value.
import { isMap, isScalar } from 'yaml';
import type { Scope } from './issues';
import { expected, fieldsOf, isNull, type Field } from './nodes';
import { type ProbeSpec, readExecCommand, readHttpUrl, readTcpTarget, showProbe } from './probe-readers';
import type { SourceFile } from './source';

export type ReadyCheck =
  | { kind: 'notify' } // sd_notify READY=1 on NOTIFY_SOCKET
  | { kind: 'log'; pattern: string } // a line of output matches
  | ProbeSpec; // tcp, http, exec: as a healthcheck's probes (probe-readers.ts)

const KINDS = ['notify', 'log: REGEX', 'tcp: PORT or HOST:PORT', 'http: URL', 'exec: COMMAND'];
const WHAT = `notify or a map of one check (${KINDS.slice(1).join(', ')})`;

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
  switch (entry.name) {
    case 'log':
      return readPattern(inner, entry);
    case 'tcp': {
      const target = readTcpTarget(inner, entry);
      return target === undefined ? undefined : { kind: 'tcp', ...target };
    }
    case 'http': {
      const url = readHttpUrl(inner, entry);
      return url === undefined ? undefined : { kind: 'http', url };
    }
    case 'exec': {
      const cmd = readExecCommand(inner, entry);
      return cmd === undefined ? undefined : { kind: 'exec', cmd };
    }
    default:
      inner.error(entry.keyAt, entry.name, `unknown readiness check "${entry.name}": expected one of log, tcp, http, exec (or ready: notify)`);
      return undefined;
  }
}

function readPattern(s: Scope, f: Field): ReadyCheck | undefined {
  const text = f.node !== null && isScalar(f.node) && (typeof f.node.value === 'string' || typeof f.node.value === 'number') ? String(f.node.value) : '';
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

/** As written in the config: `notify`, or `{ tcp: "127.0.0.1:8080" }`. */
export function showReady(check: ReadyCheck | null): unknown {
  if (check === null) return null;
  switch (check.kind) {
    case 'notify':
      return 'notify';
    case 'log':
      return { log: check.pattern };
    case 'tcp':
    case 'http':
    case 'exec':
      return showProbe(check);
  }
}
