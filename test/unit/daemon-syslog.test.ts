// A pino line as an RFC 5424 message: PRI from facility daemon and the level,
// version 1, the line's own time, host, app name, pid, no MSGID or SD.
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { syslogMessage } from '../../src/daemon/syslog';

const line = (level: number, msg: string): string => JSON.stringify({ level, time: Date.UTC(2024, 0, 2, 3, 4, 5, 678), pid: 9, msg, process: 'web' });

test('each level maps to its severity under facility daemon (3)', () => {
  const pri = (level: number): string => /^<(\d+)>/.exec(syslogMessage(line(level, 'x'), 1)!)![1]!;
  assert.deepEqual([10, 20, 30, 40, 50, 60].map(pri), ['31', '31', '30', '28', '27', '26']);
});

test('the header fields and the message', () => {
  const host = /^[\x21-\x7e]{1,255}$/.test(hostname()) ? hostname() : '-';
  assert.equal(syslogMessage(line(30, 'web: STARTING → RUNNING'), 4242), `<30>1 2024-01-02T03:04:05.678Z ${host} taskmasterd 4242 - - web: STARTING → RUNNING`);
  assert.equal(syslogMessage('not json', 1), null);
});
