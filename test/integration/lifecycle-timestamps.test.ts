// stdout_timestamps / stderr_timestamps with the real daemon: every line of
// the log files and of `tail` starts with the time it was read, a line
// written in two pieces is stamped once, and a stream without the setting is
// logged as it was written.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { readText, waitFor } from './harness';
import { program, waitState, withDaemon } from './lifecycle-helpers';

const STAMPED = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (.*)$/;

/** The lines of `text`, each split into its stamp and the line as written (fails on a line without a stamp). */
function stampedLines(text: string): { at: number; line: string }[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const m = STAMPED.exec(l);
      assert.ok(m, `not stamped: ${JSON.stringify(l)}`);
      return { at: Date.parse(m[1]!), line: m[2]! };
    });
}

// `partial` reaches the pipe in two writes a moment apart; whether the daemon
// reads it in one piece or two, it is one line with one stamp.
const SCRIPT = "echo one; printf par; sleep 0.2; echo tial; echo oops >&2; exec sleep 1000";

test('timestamps on both streams: each line stamped once, in the files and in tail; a stream without them unchanged', () => {
  const before = Date.now();
  return withDaemon(
    program('stamped', { cmd: `sh -c '${SCRIPT}'`, stdout_timestamps: true, stderr_timestamps: true }) +
      program('plain', { cmd: `sh -c '${SCRIPT}'`, stderr_timestamps: true }),
    async (d) => {
      await waitState(d, 'stamped', 'RUNNING');
      const out = join(d.logdir, 'stamped.stdout.log');
      const err = join(d.logdir, 'stamped.stderr.log');
      await waitFor(() => readText(out).includes('tial\n') && readText(err).includes('oops'), 'both logs to be written');
      const lines = stampedLines(readText(out));
      assert.deepEqual(lines.map((l) => l.line), ['one', 'partial']);
      assert.deepEqual(stampedLines(readText(err)).map((l) => l.line), ['oops']);
      // Stamped when read: between the test's start and now, in order.
      for (const { at } of lines) assert.ok(at >= before && at <= Date.now(), new Date(at).toISOString());
      assert.ok(lines[0]!.at <= lines[1]!.at);

      const tail = d.ctl('tail', 'stamped');
      assert.equal(tail.code, 0, tail.stderr);
      assert.deepEqual(stampedLines(tail.stdout).map((l) => l.line), ['one', 'partial']);

      const plainOut = join(d.logdir, 'plain.stdout.log');
      await waitFor(() => readText(plainOut).includes('tial\n') && readText(join(d.logdir, 'plain.stderr.log')).includes('oops'), "plain's logs");
      assert.equal(readText(plainOut), 'one\npartial\n');
      assert.deepEqual(stampedLines(readText(join(d.logdir, 'plain.stderr.log'))).map((l) => l.line), ['oops']);
    },
  );
});
