// taskmasterctl events against a stand-in daemon: one line per event for
// people, the event itself with --json (before or after the command).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runAgainst, type Handler } from './cli-fake-daemon';

const STATE = { type: 'state', time: '2024-01-02T03:04:05.000Z', program: 'web', process: 'web', from: 'STARTING', to: 'RUNNING', reason: 'stayed up for 1s (starttime)', pid: 42, exit: null };
const EXIT = { type: 'exit', time: '2024-01-02T03:04:06.000Z', program: 'web', process: 'web', pid: 42, code: null, signal: 'SIGKILL', expected: false };
const RELOAD = { type: 'reload', time: '2024-01-02T03:04:07.000Z', added: ['db'], removed: [], restarted: [], updated: [] };

const stream: Handler = (_req, conn) => {
  for (const event of [STATE, EXIT, RELOAD]) conn.item({ event });
  conn.done();
};

const run = (...argv: string[]) => runAgainst({ events: stream }, argv);

describe('events', () => {
  it('prints one line per event, with its time', async () => {
    const r = await run('events');
    assert.deepEqual([r.code, r.err, r.requests], [0, '', [{ id: 1, cmd: 'events' }]]);
    assert.equal(
      r.out,
      [
        '2024-01-02T03:04:05.000Z web: STARTING → RUNNING (stayed up for 1s (starttime)) pid 42',
        '2024-01-02T03:04:06.000Z web: exited, terminated by SIGKILL (not expected) pid 42',
        '2024-01-02T03:04:07.000Z reload: added [db]',
        '',
      ].join('\n'),
    );
  });

  it('--json prints each event as it came, one JSON object a line, the flag before or after the command', async () => {
    for (const argv of [['events', '--json'], ['--json', 'events']]) {
      const r = await run(...argv);
      assert.equal(r.code, 0);
      assert.deepEqual(r.out.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown), [STATE, EXIT, RELOAD]);
    }
  });
});
