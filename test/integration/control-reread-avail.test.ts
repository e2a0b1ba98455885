// reread and avail against the real daemon: they show what the next reload
// would do and change nothing; update then applies it, as reload does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pidsOf } from './control-helpers';
import { program, waitState, withDaemon } from './lifecycle-helpers';

const BEFORE = program('keep', {}) + program('gone', {}) + program('tweak', { startretries: 3 });
const AFTER = program('keep', {}) + program('tweak', { startretries: 7 }) + program('added', {});

test('reread and avail show the pending changes without applying them; update applies them', () =>
  withDaemon(BEFORE, async (d) => {
    for (const name of ['keep', 'gone', 'tweak']) await waitState(d, name, 'RUNNING');
    const before = await pidsOf(d);
    d.writeConfig(AFTER);

    const reread = d.ctl('reread');
    assert.equal(reread.code, 0, reread.stderr);
    assert.equal(reread.stdout, 'added: added\nremoved: gone\nupdated: tweak\n');

    const avail = d.ctl('avail');
    assert.equal(avail.code, 0, avail.stderr);
    assert.deepEqual(avail.stdout.split('\n').filter(Boolean), [
      'added  avail   reload adds it',
      'gone   in use  not in the config: reload removes it',
      'keep   in use',
      'tweak  in use  changed: reload applies it in place',
    ]);
    assert.deepEqual(await pidsOf(d), before, 'reread and avail changed nothing');

    const update = d.ctl('update');
    assert.equal(update.code, 0, update.stderr);
    assert.match(update.stdout, /^added: added$/m);
    await waitState(d, 'added', 'RUNNING');
    assert.equal(d.ctl('reread').stdout, 'no changes\n');
    assert.deepEqual(JSON.parse(d.ctl('--json', 'avail').stdout), [
      { name: 'added', in_use: true, in_config: true, pending: null },
      { name: 'keep', in_use: true, in_config: true, pending: null },
      { name: 'tweak', in_use: true, in_config: true, pending: null },
    ]);
  }));

test('reread of a bad config: exit 1, the errors with file:line:col; nothing logged as a refused reload', () =>
  withDaemon(BEFORE, async (d) => {
    await waitState(d, 'keep', 'RUNNING');
    d.writeConfig(program('keep', { startretrys: 3 }));
    const r = d.ctl('reread');
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, new RegExp(`^${d.configFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: program "keep", key "startretrys"`, 'm'));
    assert.doesNotMatch(d.output(), /reload refused/);
    assert.equal((await waitState(d, 'gone', 'RUNNING')).state, 'RUNNING');
  }));
