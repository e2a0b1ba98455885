// The control socket against clients that break the protocol, and against
// many clients at once. A bad client gets one coded error line and is
// disconnected; the daemon and its programs carry on as if nothing happened.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { MAX_LINE_BYTES } from '../../src/protocol/messages';
import { type Daemon, rawRequest, statusRows } from './harness';
import { connectAndLeave, exchange, HELLO, pidsOf } from './control-helpers';
import { program, waitState, withDaemon } from './lifecycle-helpers';

const line = (v: unknown): string => JSON.stringify(v) + '\n';

/** Deterministic bytes without a newline (so they make one line), from a small LCG. */
function noise(n: number, seed = 42): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    const byte = x >>> 24;
    b[i] = byte === 0x0a ? 0x0b : byte;
  }
  return b;
}

const CASES: { what: string; send: () => Buffer | string; code: string }[] = [
  { what: 'bad JSON', send: () => HELLO + '{"id": 1, "cmd": \n', code: 'EBADREQUEST' },
  { what: 'a JSON array', send: () => HELLO + line([1, 'status']), code: 'EBADREQUEST' },
  { what: 'a JSON string', send: () => HELLO + line('status'), code: 'EBADREQUEST' },
  { what: 'an unknown command', send: () => HELLO + line({ id: 1, cmd: 'explode' }), code: 'EUNKNOWNCMD' },
  { what: 'names that is not an array', send: () => HELLO + line({ id: 1, cmd: 'status', names: 'web' }), code: 'EBADREQUEST' },
  { what: 'names with a number in it', send: () => HELLO + line({ id: 1, cmd: 'stop', names: ['web', 7] }), code: 'EBADREQUEST' },
  { what: 'an id that is a string', send: () => HELLO + line({ id: '1', cmd: 'status', names: [] }), code: 'EBADREQUEST' },
  { what: 'a negative id', send: () => HELLO + line({ id: -1, cmd: 'status', names: [] }), code: 'EBADREQUEST' },
  { what: 'tail with lines as a word', send: () => HELLO + line({ id: 1, cmd: 'tail', name: 'web', stream: 'OUTPUT_STREAM_STDOUT', lines: 'five', follow: false }), code: 'EBADREQUEST' },
  { what: 'tail with protocol 1\'s stream name', send: () => HELLO + line({ id: 1, cmd: 'tail', name: 'web', stream: 'stdout', lines: 5, follow: false }), code: 'EBADREQUEST' },
  { what: 'a field the command does not have', send: () => HELLO + line({ id: 1, cmd: 'status', names: [], follow: true }), code: 'EBADREQUEST' },
  { what: '"as" on the local socket', send: () => HELLO + line({ id: 1, cmd: 'status', names: [], as: 'alice' }), code: 'EBADREQUEST' },
  { what: 'a request before hello', send: () => line({ id: 1, cmd: 'status', names: [] }), code: 'EVERSION' },
  { what: 'a stop before hello', send: () => line({ id: 1, cmd: 'stop', names: ['all'] }), code: 'EVERSION' },
  { what: 'protocol 1\'s hello', send: () => line({ id: 0, cmd: 'hello', version: 1 }), code: 'EVERSION' },
  { what: 'a wrong protocol version', send: () => line({ id: 0, cmd: 'hello', version: 99 }), code: 'EVERSION' },
  { what: 'a hello without version', send: () => line({ id: 0, cmd: 'hello' }), code: 'EBADREQUEST' },
  { what: 'an oversized line without newline', send: () => Buffer.alloc(MAX_LINE_BYTES + 64 * 1024, 0x61), code: 'ETOOLARGE' },
  { what: 'an oversized line with newline', send: () => Buffer.concat([Buffer.alloc(MAX_LINE_BYTES + 1, 0x20), Buffer.from('\n')]), code: 'ETOOLARGE' },
  {
    what: 'an oversized request after hello',
    send: () => HELLO + line({ id: 1, cmd: 'status', names: ['x'.repeat(MAX_LINE_BYTES)] }),
    code: 'ETOOLARGE',
  },
  { what: 'random bytes', send: () => Buffer.concat([noise(4096), Buffer.from('\n')]), code: 'EBADREQUEST' },
];

async function assertUntouched(d: Daemon, pids: Record<string, number | null>, after: string): Promise<void> {
  assert.deepEqual(await pidsOf(d), pids, `programs changed after ${after}`);
  assert.equal(d.proc.exitCode, null, `daemon exited after ${after}`);
}

test('each malformed request gets one coded error line, then the connection is closed; the daemon carries on', () =>
  withDaemon(program('web', {}), async (d) => {
    await waitState(d, 'web', 'RUNNING');
    const pids = await pidsOf(d);
    for (const c of CASES) {
      const data = Buffer.from(c.send());
      const { messages, closed } = await exchange(d.socket, data);
      assert.ok(closed, `${c.what}: connection left open`);
      const errors = messages.filter((m) => m.ok === false);
      assert.equal(errors.length, 1, `${c.what}: ${JSON.stringify(messages)}`);
      const error = errors[0]!.error as { code: string; message: string };
      assert.equal(error.code, c.code, `${c.what}: ${error.message}`);
      assert.equal(typeof error.message, 'string');
      assert.equal(messages.at(-1), errors[0], `${c.what}: the error is the last line`);
      // A hello before the bad line was answered first.
      const greeted = data.subarray(0, HELLO.length).toString() === HELLO;
      assert.deepEqual(messages.slice(0, -1).map((m) => [m.id, m.ok]), greeted ? [[0, true]] : [], c.what);
      await assertUntouched(d, pids, c.what);
    }
  }));

test('an error names the id of the request it answers, when the request had one', () =>
  withDaemon(program('web', {}), async (d) => {
    const { messages } = await exchange(d.socket, HELLO + line({ id: 17, cmd: 'explode' }));
    assert.deepEqual(messages.map((m) => [m.id, m.ok]), [[0, true], [17, false]]);
  }));

// The error used to overtake them: answers are sent after an await, the
// refusal was sent at once and closed the connection, so they were dropped.
test('requests read before a bad line are answered before its error, even a slow stop', () =>
  withDaemon(program('web', { env: { CHILD_IGNORE: 'TERM' }, stoptime: 0.5 }), async (d) => {
    await waitState(d, 'web', 'RUNNING');
    const pipelined =
      HELLO + line({ id: 1, cmd: 'stop', names: ['web'] }) + line({ id: 2, cmd: 'status', names: [] }) + '{not json\n';
    const { messages, closed } = await exchange(d.socket, pipelined);
    assert.ok(closed);
    assert.deepEqual(messages.map((m) => m.id).sort(), [0, 0, 1, 2]);
    const last = messages.at(-1)!;
    assert.equal(last.ok, false);
    assert.equal((last.error as { code: string }).code, 'EBADREQUEST');
    const stop = messages.find((m) => m.id === 1)!;
    assert.equal(stop.ok, true, JSON.stringify(stop));
    const { outcomes } = stop.result as { outcomes: { name: string; state: string }[] };
    assert.deepEqual(outcomes.map((o) => `${o.name}=${o.state}`), ['web=PROCESS_STATE_STOPPED']);
  }));

test('hello and a request written one byte at a time are answered', () =>
  withDaemon(program('web', {}), async (d) => {
    await waitState(d, 'web', 'RUNNING');
    const bytes = Buffer.from(HELLO + line({ id: 1, cmd: 'pid', name: 'web' }));
    const answer = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const s = connect(d.socket);
      let got = '';
      s.on('data', (c: Buffer) => {
        got += c.toString();
        const lines = got.split('\n').filter(Boolean);
        if (lines.length === 2) {
          s.destroy();
          resolve(JSON.parse(lines[1]!) as Record<string, unknown>);
        }
      });
      s.on('error', reject);
      let i = 0;
      const next = (): void => {
        if (i < bytes.length) s.write(bytes.subarray(i, ++i), next);
      };
      next();
    });
    assert.equal(answer.ok, true);
    assert.deepEqual(answer.result, { pids: [{ name: 'web', pid: (await pidsOf(d)).web }] });
  }));

test('clients that leave without a word, or halfway through a line, do not disturb the daemon', () =>
  withDaemon(program('web', {}), async (d) => {
    await waitState(d, 'web', 'RUNNING');
    const pids = await pidsOf(d);
    await connectAndLeave(d.socket);
    await assertUntouched(d, pids, 'a silent client');
    await connectAndLeave(d.socket, HELLO + '{"id": 1, "cmd": "sto');
    await assertUntouched(d, pids, 'half a line');
    await connectAndLeave(d.socket, '{"id": 0, "cmd": "hel');
    await assertUntouched(d, pids, 'half a hello');
    assert.equal(d.ctl('status').code, 0);
  }));

test('20 concurrent raw status requests all succeed with the same list', () =>
  withDaemon(program('web', { numprocs: 3 }) + program('idle', { autostart: false }), async (d) => {
    for (const n of ['web:0', 'web:1', 'web:2']) await waitState(d, n, 'RUNNING');
    const answers = await Promise.all(Array.from({ length: 20 }, () => rawRequest(d.socket, { cmd: 'status', names: [] })));
    const lists = answers.map((a) => {
      assert.equal(a.ok, true, JSON.stringify(a));
      return statusRows(a.result).map((s) => `${s.name} ${s.state} ${s.pid}`);
    });
    assert.equal(lists[0]!.length, 4);
    for (const l of lists) assert.deepEqual(l, lists[0]);
  }));

test('20 taskmasterctl status processes at once all get the same table', () =>
  withDaemon(program('web', { numprocs: 3 }), async (d) => {
    for (const n of ['web:0', 'web:1', 'web:2']) await waitState(d, n, 'RUNNING');
    const results = await Promise.all(Array.from({ length: 20 }, () => d.ctlAsync('--json', 'status')));
    const lists = results.map((r) => {
      assert.equal(r.code, 0, r.stderr);
      return (JSON.parse(r.stdout) as { name: string; pid: number }[]).map((s) => `${s.name} ${s.pid}`);
    });
    for (const l of lists) assert.deepEqual(l, lists[0]);
    assert.equal(lists[0]!.length, 3);
  }));
