// Who may run what: every command against every kind of identity.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Identity, LOCAL_IDENTITY } from '../../src/authz/identity';
import { authorize, holds, RIGHTS, type Right } from '../../src/authz/rights';
import { COMMAND_NAMES } from '../../src/protocol/commands';

const who = (name: string, programs: Identity['programs'], jobs: boolean, admin = false): Identity => ({
  name,
  programs,
  jobs: jobs ? { runAs: 'nobody' } : null,
  admin,
});

// Every combination of the fields that grant rights, and the rights each holds.
const CASES: [Identity, Right[]][] = [
  [who('ops', 'control', true), ['read', 'control', 'jobs']],
  [who('ops-nojobs', 'control', false), ['read', 'control']],
  [who('viewer', 'read', true), ['read', 'jobs']],
  [who('viewer-nojobs', 'read', false), ['read']],
  [who('runner', 'none', true), ['jobs']],
  [who('nobody', 'none', false), []],
  [who('admin-only', 'none', false, true), ['admin']], // admin widens jobs to everyone's and manages tokens; nothing else
  [LOCAL_IDENTITY, ['read', 'control', 'jobs', 'admin']],
];

const ALL_RIGHTS: Right[] = ['read', 'control', 'jobs', 'admin'];

test('the rights: read to look, control to change, jobs for the job commands, admin for tokens', () => {
  assert.deepEqual(
    Object.fromEntries(ALL_RIGHTS.map((r) => [r, COMMAND_NAMES.filter((c) => RIGHTS[c] === r).sort()])),
    {
      read: ['attach', 'config', 'events', 'logUrl', 'maintail', 'metrics', 'pid', 'status', 'tail', 'version', 'watch'],
      control: ['detach', 'reload', 'restart', 'sendInput', 'shutdown', 'signal', 'start', 'stop'],
      jobs: ['kill', 'list', 'logs', 'ps', 'run'],
      admin: ['createToken', 'listTokens', 'revokeToken'],
    },
  );
});

test('authorize: every command for every kind of identity', () => {
  for (const [identity, rights] of CASES) {
    for (const right of ALL_RIGHTS) assert.equal(holds(identity, right), rights.includes(right), `${identity.name} ${right}`);
    for (const cmd of COMMAND_NAMES) {
      const verdict = authorize(identity, cmd);
      if (rights.includes(RIGHTS[cmd])) {
        assert.equal(verdict, null, `${identity.name} ${cmd}`);
      } else {
        assert.deepEqual(verdict, { code: 'EPERM', message: `identity ${identity.name} may not ${cmd}: it needs the ${RIGHTS[cmd]} right` });
      }
    }
  }
});

test('the local socket\'s peer may do everything, and cannot be changed', () => {
  assert.deepEqual(COMMAND_NAMES.filter((c) => authorize(LOCAL_IDENTITY, c) !== null), []);
  assert.ok(Object.isFrozen(LOCAL_IDENTITY) && Object.isFrozen(LOCAL_IDENTITY.jobs));
});
