// Where a child's stdout and stderr go: explicit files, `none`, the default
// files in childlogdir, redirect_stderr, and size rotation with backups.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readText, waitFor } from './harness';
import { program, waitState, withDaemon, withScratch } from './lifecycle-helpers';

/** Prints "out NAME" and "err NAME" on its two streams, then stays up. */
const SAY_NAME = `/bin/sh -c 'echo "out $TASKMASTER_PROCESS_NAME"; echo "err $TASKMASTER_PROCESS_NAME" >&2; exec sleep 1000'`;

const waitForText = (path: string, text: string) =>
  waitFor(() => readText(path).includes(text), `${JSON.stringify(text)} in ${path}`);

test('stdout and stderr to explicit files: each stream lands in its own file', () =>
  withScratch(async (dir) => {
    const out = join(dir, 'out.log');
    const err = join(dir, 'err.log');
    const env = { CHILD_STDOUT: 'hello-out', CHILD_STDERR: 'hello-err' };
    await withDaemon(program('p', { stdout: out, stderr: err, env }), async () => {
      await waitForText(out, 'hello-out');
      await waitForText(err, 'hello-err');
      assert.equal(readText(out), 'hello-out\n');
      assert.equal(readText(err), 'hello-err\n');
    });
  }));

test('default log files in childlogdir are named after the process, one pair per instance', () =>
  withDaemon(program('web', { cmd: SAY_NAME, numprocs: 2 }), async (d) => {
    for (const [name, file] of [['web:0', 'web_0'], ['web:1', 'web_1']] as const) {
      await waitForText(join(d.logdir, `${file}.stdout.log`), `out ${name}\n`);
      await waitForText(join(d.logdir, `${file}.stderr.log`), `err ${name}\n`);
      assert.equal(readText(join(d.logdir, `${file}.stdout.log`)), `out ${name}\n`);
      assert.equal(readText(join(d.logdir, `${file}.stderr.log`)), `err ${name}\n`);
    }
  }));

test('explicit paths with %(process_num)d give each instance its own file', () =>
  withScratch(async (dir) => {
    const stdout = join(dir, 'web-%(process_num)02d.log');
    await withDaemon(program('web', { cmd: SAY_NAME, numprocs: 2, stdout, stderr: 'none' }), async () => {
      await waitForText(join(dir, 'web-00.log'), 'out web:0');
      await waitForText(join(dir, 'web-01.log'), 'out web:1');
      assert.equal(readText(join(dir, 'web-00.log')), 'out web:0\n');
    });
  }));

test('stdout: none and stderr: none write no file anywhere', () =>
  withScratch(async (dir) => {
    const programs =
      program('quiet', { cmd: SAY_NAME, stdout: 'none', stderr: 'none' }) +
      program('loud', { cmd: SAY_NAME, stdout: join(dir, 'loud.log') });
    await withDaemon(programs, async (d) => {
      await waitState(d, 'quiet', 'RUNNING');
      // quiet printed at start, before loud's line was seen; by now a log of it would exist.
      await waitForText(join(dir, 'loud.log'), 'out loud');
      const logs = existsSync(d.logdir) ? readdirSync(d.logdir) : [];
      assert.deepEqual(logs.filter((f) => f.startsWith('quiet')), []);
      for (const f of logs) assert.doesNotMatch(readText(join(d.logdir, f)), /quiet/);
      assert.deepEqual(readdirSync(dir), ['loud.log']);
    });
  }));

test('redirect_stderr: stderr is merged into the stdout file and no stderr file is made', () =>
  withDaemon(program('merged', { cmd: SAY_NAME, redirect_stderr: true }), async (d) => {
    const out = join(d.logdir, 'merged.stdout.log');
    await waitForText(out, 'out merged');
    await waitForText(out, 'err merged');
    assert.equal(existsSync(join(d.logdir, 'merged.stderr.log')), false);
  }));

/** Lines "line 0" … "line N-1" as the fixture writes them with CHILD_LINES=N. */
const numbered = (from: number, to: number): string =>
  Array.from({ length: to - from }, (_, i) => `line ${from + i}\n`).join('');

const MAX = 10 * 1024;

/** FILE.backups … FILE.1, FILE, oldest first: the ones that exist. */
function segments(file: string, backups: number): string[] {
  const names = Array.from({ length: backups }, (_, i) => `${file}.${backups - i}`);
  return [...names, file].filter((f) => existsSync(f));
}

/**
 * Rotation at line starts: no file over MAX, each rotated file ends with a
 * whole line (so the next starts with one), and was rotated only because
 * the next line did not fit.
 */
function assertWholeLines(files: string[]): void {
  const texts = files.map(readText);
  texts.forEach((text, k) => {
    const f = files[k]!;
    assert.ok(statSync(f).size <= MAX, `${f}: ${statSync(f).size} bytes`);
    const next = texts[k + 1];
    if (next === undefined) return;
    assert.ok(text.endsWith('\n'), `${f} ends inside a line: ${JSON.stringify(text.slice(-20))}`);
    const nextLine = next.slice(0, next.indexOf('\n') + 1);
    assert.ok(Buffer.byteLength(text) + Buffer.byteLength(nextLine) > MAX, `${f} had room for the next line`);
  });
}

test('rotation at stdout_maxbytes 10KB with 3 backups: no file exceeds it, none ends inside a line and, with room enough, every line is kept once, in order', () =>
  withScratch(async (dir) => {
    const file = join(dir, 'out.log');
    const lines = 3800; // 36,890 bytes: three full backups and part of FILE
    const settings = { stdout: file, stdout_maxbytes: '10KB', stdout_backups: 3, env: { CHILD_LINES: String(lines) } };
    await withDaemon(program('chatty', settings), async () => {
      await waitFor(() => readText(file).endsWith(`line ${lines - 1}\n`), 'the last line');
      const files = segments(file, 3);
      assert.deepEqual(files, [`${file}.3`, `${file}.2`, `${file}.1`, file]);
      assertWholeLines(files);
      assert.equal(files.map(readText).join(''), numbered(0, lines));
      assert.equal(existsSync(`${file}.4`), false);
    });
  }));

test('rotation beyond the backups: FILE.4 is never made and what is kept is the newest lines, whole, contiguous and in order', () =>
  withScratch(async (dir) => {
    const file = join(dir, 'out.log');
    const lines = 6000; // 58,890 bytes: more than FILE + 3 backups hold
    const settings = { stdout: file, stdout_maxbytes: '10KB', stdout_backups: 3, env: { CHILD_LINES: String(lines) } };
    await withDaemon(program('chatty', settings), async () => {
      await waitFor(() => readText(file).endsWith(`line ${lines - 1}\n`), 'the last line');
      const files = segments(file, 4);
      assert.deepEqual(files, [`${file}.3`, `${file}.2`, `${file}.1`, file]);
      assertWholeLines(files);
      const kept = files.map(readText).join('');
      // Every file starts at a line start, the oldest kept one too.
      const first = Number(/^line (\d+)\n/.exec(kept)?.[1]);
      assert.ok(first > 0, 'the oldest lines were rotated away');
      assert.equal(kept, numbered(first, lines));
    });
  }));

// Numbered lines of changing lengths, written in pieces that cut lines
// anywhere (so the daemon's reads end mid-line), then a last line with no
// newline, then an exit: that line reaches the log at EOF of the pipe.
const VARYING_LINES = `
const count = Number(process.env.LINES);
let text = '';
for (let n = 0; n < count; n++) text += n + ':' + 'x'.repeat((n * 37) % 400) + '\\n';
text += 'end without newline';
const fs = require('node:fs');
for (let at = 0; at < text.length; at += 1021) fs.writeSync(1, text.slice(at, at + 1021));
`;

test('numbered lines of changing lengths through many rotations: each once, in order, whole, in exactly one file', () =>
  withScratch(async (dir) => {
    const file = join(dir, 'out.log');
    const script = join(dir, 'varying.js');
    writeFileSync(script, VARYING_LINES);
    const lines = 3000; // about 600 KB: some 60 files
    const backups = 100;
    const settings = {
      cmd: `${process.execPath} ${script}`,
      stdout: file,
      stdout_maxbytes: '10KB',
      stdout_backups: backups,
      autorestart: false,
      starttime: 0,
      env: { LINES: String(lines) },
    };
    await withDaemon(program('varying', settings), async () => {
      await waitFor(() => readText(file).endsWith('end without newline'), 'the unfinished last line, written at EOF');
      const files = segments(file, backups);
      assert.ok(files.length > 40, `${files.length} files`);
      assertWholeLines(files);
      const all = files.map(readText).join('');
      assert.ok(all.endsWith('\nend without newline'));
      const body = all.split('\n').slice(0, -1);
      assert.deepEqual(
        body.map((line) => Number(line.split(':')[0])),
        Array.from({ length: lines }, (_, n) => n),
        'every number once, in order',
      );
      body.forEach((line, n) => assert.equal(line, `${n}:${'x'.repeat((n * 37) % 400)}`));
    });
  }));
