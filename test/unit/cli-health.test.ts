// How `taskmasterctl status` shows health checks: a suffix after the
// description in the table, and a `health` object in --json.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HealthState } from '../../src/gen/taskmaster/v1/control_pb';
import { proc, reply, runAgainst } from './cli-fake-daemon';

const ROWS = [
  proc('api', 'RUNNING', 'pid 41, uptime 0:01:00', { pid: 41, uptimeS: 60, health: { state: HealthState.HEALTHY, lastFailure: 'HTTP 503', failures: 0 } }),
  proc('db', 'RUNNING', 'pid 42, uptime 0:01:00', { pid: 42, uptimeS: 60, health: { state: HealthState.UNHEALTHY, lastFailure: 'connection refused', failures: 3 } }),
  proc('web', 'RUNNING', 'pid 43, uptime 0:00:01', { pid: 43, uptimeS: 1, health: { state: HealthState.STARTING, failures: 0 } }),
  proc('cron', 'RUNNING', 'pid 44, uptime 0:01:00', { pid: 44, uptimeS: 60 }),
];

async function status(...flags: string[]) {
  const { code, out } = await runAgainst({ status: reply({ processes: ROWS }) }, [...flags, 'status']);
  return { code, out };
}

test('status: healthy, unhealthy with the last failure, health starting; nothing without a healthcheck', async () => {
  assert.deepEqual(await status(), {
    code: 0,
    out:
      'api    RUNNING   pid 41, uptime 0:01:00, healthy\n' +
      'db     RUNNING   pid 42, uptime 0:01:00, unhealthy (connection refused)\n' +
      'web    RUNNING   pid 43, uptime 0:00:01, health starting\n' +
      'cron   RUNNING   pid 44, uptime 0:01:00\n',
  });
});

test('status --json: health is {state, last_failure, failures}, or null without a healthcheck', async () => {
  const rows = JSON.parse((await status('--json')).out) as { name: string; health: unknown }[];
  assert.deepEqual(rows.map((r) => [r.name, r.health]), [
    ['api', { state: 'healthy', last_failure: 'HTTP 503', failures: 0 }],
    ['db', { state: 'unhealthy', last_failure: 'connection refused', failures: 3 }],
    ['web', { state: 'starting', last_failure: null, failures: 0 }],
    ['cron', null],
  ]);
});
