// A program's `healthcheck:` — a probe run while it is RUNNING — as a table
// of its own, like `taskmasterd.remote`: exactly one probe key (tcp, http or
// exec) and the timing of the checks. Read into a HealthCheck, whose probe is
// a closed union, so the edge never meets "both tcp and http".
import { isMap } from 'yaml';
import { field, keysOf, knownFields, readFields, withDefaults } from './field-table';
import { readChoice, readDuration, readInt } from './fields';
import type { Scope } from './issues';
import { expected, isNull, type Field } from './nodes';
import { type ProbeSpec, readExecCommand, readHttpUrl, readPositiveDuration, readTcpTarget, showProbe } from './probe-readers';
import type { SourceFile } from './source';

/** The same probes as `ready:`'s tcp, http and exec (probe-readers.ts). */
export type HealthProbe = ProbeSpec;

const PROBE_KEYS = ['tcp', 'http', 'exec'] as const;
const ACTIONS = ['restart', 'mark'] as const;

// undefined defaults: the probe keys are optional one by one; "exactly one" is checked after.
const HEALTH_FIELDS = {
  // PORT (on 127.0.0.1) or "HOST:PORT": passes when the port accepts a connection.
  tcp: field<{ host: string; port: number } | undefined>({ default: undefined, read: readTcpTarget, onChange: 'in-place' }),
  // An http(s) URL: passes on a 2xx answer; redirects are not followed.
  http: field<string | undefined>({ default: undefined, read: readHttpUrl, onChange: 'in-place' }),
  exec: field<string | undefined>({ default: undefined, read: readExecCommand, onChange: 'in-place' }),
  // Seconds from one probe's start to the next's (never two at once).
  interval: field<number>({ default: 10, read: readPositiveDuration, onChange: 'in-place' }),
  // Seconds a probe may take before it counts as failed ("timed out after 5s").
  timeout: field<number>({ default: 5, read: readPositiveDuration, onChange: 'in-place' }),
  // Failures in a row that make the process unhealthy.
  retries: field<number>({ default: 3, read: (s, f) => readInt(s, f, 1), onChange: 'in-place' }),
  // Seconds after entering RUNNING in which failures do not count, until the first pass.
  start_period: field<number>({ default: 0, read: readDuration, onChange: 'in-place' }),
  // restart: through stop and start, with the reason; mark: only shown in status.
  action: field<(typeof ACTIONS)[number]>({ default: 'restart', read: (s, f) => readChoice(s, f, ACTIONS), onChange: 'in-place' }),
};

export interface HealthCheck {
  probe: HealthProbe;
  interval: number; // seconds
  timeout: number; // seconds
  retries: number;
  start_period: number; // seconds
  action: (typeof ACTIONS)[number];
}

/** The reader of the program's `healthcheck` entry: null when absent or null. */
export function readHealthcheck(s: Scope, f: Field, src: SourceFile): HealthCheck | null | undefined {
  if (isNull(f.node)) return null;
  if (f.node === null || !isMap(f.node)) {
    s.error(f.at, f.name, expected(`a map with one of ${PROBE_KEYS.join(', ')} and optionally ${keysOf(HEALTH_FIELDS).slice(PROBE_KEYS.length).join(', ')}`, f.node));
    return undefined;
  }
  const hs = s.below(f.name);
  const fields = knownFields(HEALTH_FIELDS, src, hs, f.node);
  const read = readFields(HEALTH_FIELDS, fields, hs, src, f.keyAt);
  // In the order written, so that the error points at the second one.
  const written = [...fields.keys()].filter((k) => (PROBE_KEYS as readonly string[]).includes(k));
  if (written.length !== 1) {
    const at = written.length === 0 ? f.keyAt : fields.get(written[1]!)!.keyAt;
    const got = written.length === 0 ? 'none' : `${written.slice(0, -1).join(', ')} and ${written.at(-1)!}`;
    hs.error(at, written[1] ?? null, `expected exactly one of ${PROBE_KEYS.join(', ')}, got ${got}`);
    return undefined;
  }
  const probe = probeOf(read);
  if (probe === null) return undefined; // its value was refused and reported
  const { interval, timeout, retries, start_period, action } = withDefaults(HEALTH_FIELDS, read);
  return { probe, interval, timeout, retries, start_period, action };
}

function probeOf(read: { tcp?: { host: string; port: number }; http?: string; exec?: string }): HealthProbe | null {
  if (read.tcp !== undefined) return { kind: 'tcp', ...read.tcp };
  if (read.http !== undefined) return { kind: 'http', url: read.http };
  if (read.exec !== undefined) return { kind: 'exec', cmd: read.exec };
  return null;
}

/** The check in the config's own vocabulary, for `taskmasterctl config`; reads back as the same. */
export function showHealthcheck(check: HealthCheck | null): Record<string, unknown> | null {
  if (check === null) return null;
  const { probe, ...timing } = check;
  return { ...showProbe(probe), ...timing };
}
