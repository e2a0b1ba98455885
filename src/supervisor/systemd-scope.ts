// The pure part of moving a detached process out of taskmasterd's systemd
// service (the OS side is detach-scope.ts): which service the daemon runs
// in, read from /proc/self/cgroup; which processes a group holds, from
// /proc/PID/stat; and the busctl call that asks systemd for a transient
// scope unit holding them. No I/O here, so the unit tests feed it text.

/** Suffixes of the unit types whose processes live in a cgroup of their own. */
const CGROUP_UNIT = /\.(service|scope|slice|socket|mount|swap)$/;

/**
 * The systemd service whose cgroup holds the process that /proc/self/cgroup
 * `text` describes ("taskmaster.service"), or null when that is not a
 * service: a login session's scope, a container's root, no systemd at all.
 * The cgroup is what decides, not $INVOCATION_ID (inherited by anything a
 * service starts, and absent under `systemd-run --scope`): systemd kills by
 * cgroup when the unit stops. Sub-cgroups below the unit (a service with
 * Delegate=) belong to it, so the innermost component named like a unit
 * decides. cgroup v2's line is `0::PATH`; a v1-only system has systemd's own
 * named hierarchy (`N:name=systemd:PATH`).
 */
export function serviceOfCgroup(text: string): string | null {
  const lines = text.split('\n');
  const v2 = lines.find((l) => l.startsWith('0::'));
  const v1 = lines.find((l) => /^\d+:name=systemd:/.test(l));
  const line = v2 ?? v1;
  if (line === undefined) return null;
  const path = line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1);
  const unit = path.split('/').reverse().find((part) => CGROUP_UNIT.test(part));
  return unit !== undefined && unit.endsWith('.service') ? unit : null;
}

/**
 * The process group id in a /proc/PID/stat line, or null if it cannot be
 * read. Field 2 (comm) is in parentheses and may itself hold spaces and
 * parentheses, so the fields are counted from the last ')'.
 */
export function pgrpOfStat(stat: string): number | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  // After comm: state (3), ppid (4), pgrp (5).
  const pgrp = Number(stat.slice(close + 1).trim().split(/\s+/)[2]);
  return Number.isInteger(pgrp) && pgrp > 0 ? pgrp : null;
}

/** Characters systemd allows in a unit name; anything else is escaped as systemd-escape does (\xNN). */
const UNIT_CHAR = /[A-Za-z0-9:_.-]/;
// systemd's limit is 255 bytes; the prefix, pid and suffix fit in what is left.
const MAX_NAME_PART = 200;

/** `taskmaster-detached-web_00-1234.scope`: unique while pid 1234 lives, which is as long as the scope does. */
export function scopeUnitName(processName: string, pid: number): string {
  const part = [...processName].map((c) => (UNIT_CHAR.test(c) ? c : escapeChar(c))).join('');
  return `taskmaster-detached-${part.slice(0, MAX_NAME_PART)}-${pid}.scope`;
}

function escapeChar(c: string): string {
  return [...new TextEncoder().encode(c)].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
}

/** busctl's own timeout for one call: systemd answers at once unless it is wedged. */
const CALL_TIMEOUT = '10s';

/**
 * busctl's arguments for Manager.StartTransientUnit(name, mode, properties,
 * aux): a scope holding `pids`. Mode "fail": a unit of that name already
 * queued is an error, not replaced. CollectMode inactive-or-failed: the
 * scope disappears once its last process has ended, however it ended.
 */
export function startScopeArgs(unit: string, pids: readonly number[], description: string): string[] {
  const properties: string[][] = [
    ['PIDs', 'au', String(pids.length), ...pids.map(String)],
    ['Description', 's', description],
    ['CollectMode', 's', 'inactive-or-failed'],
  ];
  return [
    ...managerCall('StartTransientUnit', 'ssa(sv)a(sa(sv))'),
    unit,
    'fail',
    String(properties.length),
    ...properties.flat(),
    '0', // no auxiliary units
  ];
}

function managerCall(method: string, signature: string): string[] {
  return ['--system', `--timeout=${CALL_TIMEOUT}`, 'call', 'org.freedesktop.systemd1', '/org/freedesktop/systemd1', 'org.freedesktop.systemd1.Manager', method, signature];
}
