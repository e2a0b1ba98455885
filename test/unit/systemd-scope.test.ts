// The pure part of moving a detached process out of the daemon's systemd
// service: which service /proc/self/cgroup names, a process group from
// /proc/PID/stat, the scope's unit name, and busctl's argument list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pgrpOfStat, scopeUnitName, serviceOfCgroup, startScopeArgs } from '../../src/supervisor/systemd-scope';

test('serviceOfCgroup: the innermost unit of the cgroup path decides, and only a .service counts', () => {
  const cases: [string, string, string | null][] = [
    ['cgroup v2, the packaged unit', '0::/system.slice/taskmaster.service\n', 'taskmaster.service'],
    ['a sub-cgroup of a service (Delegate=)', '0::/system.slice/taskmaster.service/supervisor\n', 'taskmaster.service'],
    ['a templated service', '0::/system.slice/system-taskmaster.slice/taskmaster@main.service\n', 'taskmaster@main.service'],
    ['a login session: no unit will kill it at our stop', '0::/user.slice/user-0.slice/session-3.scope\n', null],
    ['a terminal app under a user manager: the scope is innermost', '0::/user.slice/user-1000.slice/user@1000.service/app.slice/app-term-42.scope\n', null],
    ['a container root, or no systemd', '0::/\n', null],
    ['a docker container', '0::/system.slice/docker-0123abcd.scope\n', null],
    ['hybrid: the v2 line', '9:name=systemd:/system.slice/taskmaster.service\n4:memory:/x\n0::/system.slice/taskmaster.service\n', 'taskmaster.service'],
    ['v1 only: systemd\'s named hierarchy', '4:memory:/system.slice/other.service\n1:name=systemd:/system.slice/taskmaster.service\n', 'taskmaster.service'],
    ['v1 with no systemd hierarchy', '4:memory:/system.slice/taskmaster.service\n', null],
    ['nothing', '', null],
  ];
  for (const [what, text, want] of cases) assert.equal(serviceOfCgroup(text), want, what);
});

test('pgrpOfStat: counts fields after the last ")", so a comm with spaces and parentheses is no trap', () => {
  assert.equal(pgrpOfStat('4242 (sleep) S 4200 4200 4200 0 -1 4194560 96 0 0 0'), 4200);
  assert.equal(pgrpOfStat('77 (a) b) (c d) R 1 70 70 0 -1'), 70);
  assert.equal(pgrpOfStat(''), null, 'a process that ended while read');
  assert.equal(pgrpOfStat('12 (x) Z'), null, 'cut short');
});

test('scopeUnitName: taskmaster-detached-NAME-PID.scope, with what a unit name cannot hold escaped as \\xNN', () => {
  assert.equal(scopeUnitName('web_00', 1234), 'taskmaster-detached-web_00-1234.scope');
  assert.equal(scopeUnitName('a:b.c-d', 1), 'taskmaster-detached-a:b.c-d-1.scope');
  assert.equal(scopeUnitName('x y/é', 9), 'taskmaster-detached-x\\x20y\\x2f\\xc3\\xa9-9.scope');
  const long = scopeUnitName('n'.repeat(400), 4194304);
  assert.ok(long.length <= 255, `${long.length} bytes: past systemd's limit`);
  assert.match(long, /^taskmaster-detached-n+-4194304\.scope$/);
});

test('startScopeArgs: StartTransientUnit(name, "fail", [PIDs, Description, CollectMode], []) on the system bus', () => {
  assert.deepEqual(startScopeArgs('taskmaster-detached-w-10.scope', [10, 11, 20], 'taskmaster: w, detached (pid 10)'), [
    '--system',
    '--timeout=10s',
    'call',
    'org.freedesktop.systemd1',
    '/org/freedesktop/systemd1',
    'org.freedesktop.systemd1.Manager',
    'StartTransientUnit',
    'ssa(sv)a(sa(sv))',
    'taskmaster-detached-w-10.scope',
    'fail',
    '3',
    'PIDs', 'au', '3', '10', '11', '20',
    'Description', 's', 'taskmaster: w, detached (pid 10)',
    'CollectMode', 's', 'inactive-or-failed',
    '0',
  ]);
});
