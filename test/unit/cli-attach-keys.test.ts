// fg's keys: on a terminal program every byte goes through, Ctrl-C too, and
// Ctrl-] detaches; on a pipe a line is edited locally and sent on Enter,
// Ctrl-C becomes SIGINT to the process, Ctrl-] detaches.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type KeyAction, LineKeys, terminalKeys, withCarriageReturns } from '../../src/cli/attach-keys';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
/** Actions with bytes shown as text, for readable comparisons. */
const shown = (actions: KeyAction[]): unknown[] =>
  actions.map((a) => (a.kind === 'send' ? { send: new TextDecoder().decode(a.data) } : a.kind === 'echo' ? { echo: a.text } : a.kind));

test('terminal: bytes go through as typed, Ctrl-C included (the program\'s terminal makes it SIGINT)', () => {
  assert.deepEqual(shown(terminalKeys(bytes('ls -l\r'))), [{ send: 'ls -l\r' }]);
  assert.deepEqual(shown(terminalKeys(bytes('sleep 9\r\x03'))), [{ send: 'sleep 9\r\x03' }]);
  assert.deepEqual(shown(terminalKeys(bytes('\x1b[A'))), [{ send: '\x1b[A' }]);
  assert.deepEqual(terminalKeys(new Uint8Array()), []);
});

test('terminal: Ctrl-] detaches; what came before it is sent, what follows it is not', () => {
  assert.deepEqual(shown(terminalKeys(bytes('\x1d'))), ['detach']);
  assert.deepEqual(shown(terminalKeys(bytes('abc\x1dexit\r'))), [{ send: 'abc' }, 'detach']);
});

test('line: characters are echoed, Enter sends the line with a newline', () => {
  const keys = new LineKeys();
  assert.deepEqual(shown(keys.push(bytes('hi'))), [{ echo: 'h' }, { echo: 'i' }]);
  assert.deepEqual(shown(keys.push(bytes('\r'))), [{ echo: '\r\n' }, { send: 'hi\n' }]);
  assert.deepEqual(shown(keys.push(bytes('\r'))), [{ echo: '\r\n' }, { send: '\n' }]);
});

test('line: CR then LF is one Enter; a lone LF is one too', () => {
  const keys = new LineKeys();
  assert.deepEqual(shown(keys.push(bytes('a\r\nb\n'))), [{ echo: 'a' }, { echo: '\r\n' }, { send: 'a\n' }, { echo: 'b' }, { echo: '\r\n' }, { send: 'b\n' }]);
});

test('line: Ctrl-C drops the line and interrupts the process; Ctrl-] detaches at once', () => {
  const keys = new LineKeys();
  assert.deepEqual(shown(keys.push(bytes('ab\x03'))), [{ echo: 'a' }, { echo: 'b' }, { echo: '^C\r\n' }, 'interrupt']);
  assert.deepEqual(shown(keys.push(bytes('\r'))), [{ echo: '\r\n' }, { send: '\n' }]);
  assert.deepEqual(shown(keys.push(bytes('x\x1dy\r'))), [{ echo: 'x' }, 'detach']);
});

test('line: Backspace and Ctrl-U edit whole characters; on an empty line Backspace does nothing', () => {
  const keys = new LineKeys();
  assert.deepEqual(shown(keys.push(bytes('\x7f'))), []);
  keys.push(bytes('aé€'));
  assert.deepEqual(shown(keys.push(bytes('\x7f'))), [{ echo: '\b \b' }]);
  assert.deepEqual(shown(keys.push(bytes('\x15'))), [{ echo: '\b \b\b \b' }]);
  keys.push(bytes('z'));
  assert.deepEqual(shown(keys.push(bytes('\r'))), [{ echo: '\r\n' }, { send: 'z\n' }]);
});

test('line: a character split between reads is whole; escape sequences and control keys are swallowed', () => {
  const keys = new LineKeys();
  const euro = bytes('€');
  assert.deepEqual(shown(keys.push(euro.subarray(0, 1))), []);
  assert.deepEqual(shown(keys.push(euro.subarray(1))), [{ echo: '€' }]);
  assert.deepEqual(shown(keys.push(bytes('\x1b[A\x1b[1;5C\x1bOP\x1bx\x01\t'))), []);
  assert.deepEqual(shown(keys.push(bytes('\x1b['))), []);
  assert.deepEqual(shown(keys.push(bytes('D!\r'))), [{ echo: '!' }, { echo: '\r\n' }, { send: '€!\n' }]);
});

test('withCarriageReturns: each LF gets a CR before it unless it has one, across chunks too', () => {
  const text = (u: Uint8Array): string => new TextDecoder().decode(u);
  assert.equal(text(withCarriageReturns(bytes('a\nb\r\nc\n'), false)), 'a\r\nb\r\nc\r\n');
  assert.equal(text(withCarriageReturns(bytes('\nx'), true)), '\nx');
  assert.equal(text(withCarriageReturns(bytes('\nx'), false)), '\r\nx');
  const plain = bytes('no newline');
  assert.equal(withCarriageReturns(plain, false), plain);
});
