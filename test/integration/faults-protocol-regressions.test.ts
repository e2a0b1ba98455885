// Bugs the protocol fuzz found, pinned one by one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exchange, HELLO } from './control-helpers';
import { DAEMON_BUG_LINE, waitFor } from './harness';
import { program, waitState, withDaemon } from './lifecycle-helpers';

const line = (v: unknown): string => JSON.stringify(v) + '\n';
type Msg = { id: number; ok: boolean; error?: { code: string; message: string } };

test('regression: a value nested 100,000 deep is EBADREQUEST, not EINTERNAL (the message used to JSON.stringify it)', () =>
  withDaemon(program('web', {}), async (d) => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const deepObject = '{"k":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    const cases: [string, RegExp][] = [
      [`{"id":1,"cmd":"status","names":${deep}}`, /^field "names" of status: /],
      [`{"id":1,"cmd":"config","name":${deepObject}}`, /^field "name" of config: /],
      [`{"id":1,"cmd":"pid","name":${deepObject}}`, /^field "name" of pid: /],
      [`{"id":${deep},"cmd":"status","names":[]}`, /nested too deep to show/],
    ];
    for (const [req, message] of cases) {
      const { messages, closed } = await exchange(d.socket, HELLO + req + '\n');
      const last = messages.at(-1) as Msg;
      assert.ok(closed);
      assert.equal(last.error?.code, 'EBADREQUEST', JSON.stringify(last));
      assert.match(last.error!.message, message);
      assert.ok(last.error!.message.length < 400, last.error!.message);
    }
    assert.doesNotMatch(d.output(), DAEMON_BUG_LINE);
  }));

test('regression: an error echoes a protocol-valid id only (2^53 or 1e30 used to come back, breaking the reply)', () =>
  withDaemon(program('web', {}), async (d) => {
    for (const id of ['9007199254740992', '123456789012345678901234567890', '1e400', '1.5']) {
      const { messages } = await exchange(d.socket, `${HELLO}{"id":${id},"cmd":"status","names":[]}\n`);
      const last = messages.at(-1) as Msg;
      assert.equal(last.ok, false);
      assert.equal(last.id, 0, `id ${id}: ${JSON.stringify(last)}`);
    }
  }));

test('regression: error messages quote at most a few dozen characters of what the client sent', () =>
  withDaemon(program('web', {}), async (d) => {
    const big = 'x'.repeat(500_000);
    const requests = [
      { id: 1, cmd: big },
      { id: 1, cmd: 'status', names: big },
      { id: 1, cmd: 'signal', signal: big, names: ['web'] },
      { id: 1, cmd: 'status', names: Array.from({ length: 50_000 }, (_, i) => `nosuch${i}`) },
      { id: 1, cmd: 'status', [big]: 1 },
      { id: 1, cmd: 'tail', name: 'web', stream: big },
      { id: 1, cmd: 'stop', names: ['web', big.length, big] },
    ];
    for (const req of requests) {
      // The bad last line makes the daemon hang up, after answering the request.
      const { messages } = await exchange(d.socket, HELLO + line(req) + '\u0001\n');
      const err = (messages.find((m) => m.ok === false) as Msg | undefined)?.error;
      assert.ok(err, JSON.stringify(messages).slice(0, 300));
      assert.ok(err.message.length < 1000, `${err.code}: a ${err.message.length}-character message`);
    }
    assert.ok(d.output().split('\n').every((l) => l.length < 2000), 'the daemon log holds no huge line');
  }));

// Two bugs: the CLI refused a reply line over 1 MiB, and the binary's
// process.exit() dropped what its stdout pipe had not taken yet.
test('regression: taskmasterctl tail -n prints 1 MiB of log whole into a pipe (the answer is over 1 MiB as JSON)', () =>
  withDaemon(program('p', { env: { CHILD_LINES: '200000' } }), async (d) => {
    await waitState(d, 'p', 'RUNNING');
    await waitFor(() => d.ctl('tail', '-n', '1', 'p').stdout === 'line 199999\n', 'every line in the log');
    const r = await d.ctlAsync('tail', '-n', '150000', 'p');
    assert.equal(r.code, 0, r.stderr);
    // tail -n reads at most the last 1 MiB of a log.
    assert.equal(Buffer.byteLength(r.stdout), 1024 * 1024);
    assert.ok(r.stdout.endsWith('line 199999\n'));
  }));
