// update (reload's other name), reread and avail: what they ask the daemon
// and how they show its answer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reply, runAgainst } from './cli-fake-daemon';


type Diff = Record<'added' | 'removed' | 'restarted' | 'updated' | 'unchanged', string[]>;
const diff = (over: Partial<Diff>): Diff => ({ added: [], removed: [], restarted: [], updated: [], unchanged: [], ...over });
const SAMPLE = diff({ added: ['new'], removed: ['old'], restarted: ['cmd'], updated: ['tweak'], unchanged: ['keep'] });

describe('update', () => {
  it('is reload: the same request, the same answer', async () => {
    const r = await runAgainst({ reload: reply(diff({ added: ['a'] })) }, ['update']);
    assert.deepEqual([r.code, r.out, r.err], [0, 'added: a\n', '']);
    assert.deepEqual(r.requests, [{ id: 1, cmd: 'reload', dry_run: false }]);
  });

  it('help lists it beside reload', async () => {
    const r = await runAgainst({}, ['help']);
    assert.match(r.out, /^ {2}reload, update +re-read the config and apply the changes$/m);
    assert.match(r.out, /^ {2}reread +show what reload would change, changing nothing$/m);
    assert.match(r.out, /^ {2}avail +list the programs of the config file, in use or available$/m);
  });
});

describe('reread', () => {
  it('asks for a dry run and prints the diff as reload would', async () => {
    const r = await runAgainst({ reload: reply(SAMPLE) }, ['reread']);
    assert.deepEqual([r.code, r.out, r.err], [0, 'added: new\nremoved: old\nrestarted: cmd\nupdated: tweak\n', '']);
    assert.deepEqual(r.requests, [{ id: 1, cmd: 'reload', dry_run: true }]);
  });

  it('"no changes" when nothing would change; --json is the diff', async () => {
    assert.equal((await runAgainst({ reload: reply(diff({ unchanged: ['keep'] })) }, ['reread'])).out, 'no changes\n');
    assert.deepEqual(JSON.parse((await runAgainst({ reload: reply(SAMPLE) }, ['--json', 'reread'])).out), SAMPLE);
  });

  it('EBADCONFIG: the issues on stderr, exit 1', async () => {
    const r = await runAgainst({ reload: (_q, c) => c.fail('EBADCONFIG', 'tm.yaml:3:5: bad') }, ['reread']);
    assert.deepEqual([r.code, r.out, r.err], [1, '', 'tm.yaml:3:5: bad\n']);
  });
});

describe('avail', () => {
  it('one row per program, sorted: in use or avail, and what the next reload does to it', async () => {
    const r = await runAgainst({ reload: reply(SAMPLE) }, ['avail']);
    assert.equal(r.code, 0, r.err);
    assert.equal(
      r.out,
      [
        'cmd    in use  changed: reload restarts it',
        'keep   in use',
        'new    avail   reload adds it',
        'old    in use  not in the config: reload removes it',
        'tweak  in use  changed: reload applies it in place',
        '',
      ].join('\n'),
    );
    assert.deepEqual(r.requests, [{ id: 1, cmd: 'reload', dry_run: true }]);
  });

  it('--json: name, in_use, in_config, pending', async () => {
    const r = await runAgainst({ reload: reply(diff({ added: ['b'], unchanged: ['a'] })) }, ['--json', 'avail']);
    assert.deepEqual(JSON.parse(r.out), [
      { name: 'a', in_use: true, in_config: true, pending: null },
      { name: 'b', in_use: false, in_config: true, pending: 'add' },
    ]);
  });

  it('"no programs" for an empty config', async () => {
    assert.equal((await runAgainst({ reload: reply(diff({})) }, ['avail'])).out, 'no programs\n');
  });
});
