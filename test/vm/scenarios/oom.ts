// Host checks of scenarios/oom.sh: memory_max holds, and an OOM kill is
// reported as such and counted as an unexpected exit.
import assert from 'node:assert/strict';
import type { StatusView } from '../../../src/cli/views';
import type { Checks } from '../results';

const row = (text: string): StatusView => (JSON.parse(text) as StatusView[])[0];

export const checks: Checks = {
  'a program over memory_max 32M is OOM-killed and status says so': (r) => {
    assert.equal(r.fact('use_config_exit'), '0', r.context());
    assert.equal(r.fact('hog_once_exited'), '0', `hog_once never reached EXITED\n${r.context()}`);
    const once = row(r.file('hog_once.json'));
    assert.equal(once.exitsignal, 'SIGKILL', r.file('hog_once.json'));
    assert.match(once.description, /killed by the OOM killer \(memory_max 32M\)/, r.file('hog_once.json'));
    assert.match(r.file('status.txt'), /killed by the OOM killer \(memory_max 32M\)/);
  },

  'the OOM kill is an unexpected exit: autorestart: unexpected starts it again': (r) => {
    assert.equal(r.fact('hog_again_restarted'), '0', `hog_again was never restarted\n${r.file('hog_again.json')}\n${r.context()}`);
    assert.ok(row(r.file('hog_again.json')).restarts >= 1, r.file('hog_again.json'));
  },
};
