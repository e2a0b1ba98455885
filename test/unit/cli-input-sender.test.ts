// fg's input: one sendInput at a time, in order; what is typed while one is
// on its way goes in the next, together; a refusal is reported and the
// sender carries on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputSender, MAX_SEND_BYTES } from '../../src/cli/input-sender';
import { TaskmasterError } from '../../src/protocol/errors';

interface Sent {
  name: string;
  data: string;
  rows: number;
  cols: number;
}

/** A caller whose answers the test releases one by one. */
function gatedCaller(refuseWith: TaskmasterError | null = null) {
  const sent: Sent[] = [];
  const gates: (() => void)[] = [];
  const caller = {
    call: (cmd: string, req: { name: string; data: Uint8Array; rows: number; cols: number }) => {
      assert.equal(cmd, 'sendInput');
      sent.push({ name: req.name, data: new TextDecoder().decode(req.data), rows: req.rows, cols: req.cols });
      return new Promise<object>((resolve, reject) => gates.push(() => (refuseWith ? reject(refuseWith) : resolve({}))));
    },
  };
  const answerNext = async (): Promise<void> => {
    gates.shift()!();
    await new Promise((r) => setImmediate(r));
  };
  return { caller: caller as never, sent, gates, answerNext };
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

test('input typed while a send is on its way goes next, in one send, in order', async () => {
  const { caller, sent, gates, answerNext } = gatedCaller();
  const sender = new InputSender(caller, 'web', () => assert.fail('nothing is refused'));
  sender.send(bytes('a'));
  sender.send(bytes('b'));
  sender.send(bytes('c'));
  assert.deepEqual(sent.map((s) => s.data), ['a']);
  await answerNext();
  assert.deepEqual(sent.map((s) => s.data), ['a', 'bc']);
  await answerNext();
  assert.equal(gates.length, 0);
  const idle = sender.idle();
  await idle;
  assert.deepEqual(sent, [
    { name: 'web', data: 'a', rows: 0, cols: 0 },
    { name: 'web', data: 'bc', rows: 0, cols: 0 },
  ]);
});

test('a window size goes with the next send; only the latest one; a size of 0 is not sent', async () => {
  const { caller, sent, answerNext } = gatedCaller();
  const sender = new InputSender(caller, 'sh', () => assert.fail('nothing is refused'));
  sender.resize({ rows: 0, cols: 80 });
  assert.equal(sent.length, 0);
  sender.resize({ rows: 24, cols: 80 });
  sender.resize({ rows: 30, cols: 100 });
  sender.send(bytes('x'));
  await answerNext();
  assert.deepEqual(sent, [{ name: 'sh', data: '', rows: 24, cols: 80 }, { name: 'sh', data: 'x', rows: 30, cols: 100 }]);
  await answerNext();
});

test('a refusal is reported with its error, and later input is still sent', async () => {
  const refusal = new TaskmasterError('ENOINPUT', 'web takes no input');
  const { caller, sent, answerNext } = gatedCaller(refusal);
  const refused: unknown[] = [];
  const sender = new InputSender(caller, 'web', (e) => refused.push(e));
  sender.send(bytes('one\n'));
  await answerNext();
  sender.send(bytes('two\n'));
  await answerNext();
  assert.deepEqual(refused, [refusal, refusal]);
  assert.deepEqual(sent.map((s) => s.data), ['one\n', 'two\n']);
});

test('input larger than one send goes in batches of MAX_SEND_BYTES, in order, nothing lost', async () => {
  const { caller, sent, gates, answerNext } = gatedCaller();
  const sender = new InputSender(caller, 'web', () => assert.fail('nothing is refused'));
  const whole = 'x'.repeat(MAX_SEND_BYTES - 10) + 'y'.repeat(MAX_SEND_BYTES) + 'z'.repeat(30);
  sender.send(bytes('a'));
  sender.send(bytes(whole.slice(0, MAX_SEND_BYTES + 100)));
  sender.send(bytes(whole.slice(MAX_SEND_BYTES + 100)));
  assert.equal(sender.backlog(), whole.length); // 'a' is on its way already
  while (gates.length > 0) await answerNext();
  await sender.idle();
  assert.ok(sent.every((s) => s.data.length <= MAX_SEND_BYTES), sent.map((s) => s.data.length).join(' '));
  assert.deepEqual(sent.map((s) => s.data.length), [1, MAX_SEND_BYTES, MAX_SEND_BYTES, whole.length - 2 * MAX_SEND_BYTES]);
  assert.equal(sent.map((s) => s.data).join(''), `a${whole}`);
  assert.equal(sender.backlog(), 0);
});
