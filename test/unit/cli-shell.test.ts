// The shell: piped (line by line, last exit code), on a terminal (prompt,
// history, Tab, Ctrl-C), and its completion.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { cachedNames, completeLine, namesFrom } from '../../src/cli/completion';
import { runCtl } from '../../src/cli/main';
import { ProcessState } from '../../src/gen/taskmaster/v1/control_pb';
import { proc, reply, startFakeDaemon, testIO, type FakeDaemon } from './cli-fake-daemon';

const ROWS = [proc('web:0', 'RUNNING', 'pid 1'), proc('web:1', 'RUNNING', 'pid 2'), proc('cron', 'STOPPED')];
const HANDLERS = {
  status: reply({ processes: ROWS }),
  start: reply({ outcomes: [{ name: 'web', ok: true, state: ProcessState.RUNNING }] }),
  version: reply({ version: '1.2.3', protocol: 2 }),
  shutdown: reply({}),
};

describe('shell without a terminal', () => {
  let d: FakeDaemon;
  before(async () => (d = await startFakeDaemon(HANDLERS)));
  after(() => d.close());

  it('runs each line, prints no prompt, exits with the last command’s code and keeps history', async () => {
    const io = testIO();
    io.stdinStream.end('start web\n\n  \nstauts\n"unterminated\nstatus\n');
    assert.equal(await runCtl(['-s', d.path], io), 3);
    assert.equal(io.out(), 'web: started\nweb:0   RUNNING   pid 1\nweb:1   RUNNING   pid 2\ncron    STOPPED\n');
    assert.equal(io.err(), 'unknown command "stauts"; did you mean "status"?\nunterminated " quote\n');
    assert.equal(
      readFileSync(join(io.homedir, '.taskmasterctl_history'), 'utf8'),
      'start web\nstauts\n"unterminated\nstatus\n',
    );
  });

  it('stops at exit, with 0, and runs nothing after it', async () => {
    const io = testIO();
    io.stdinStream.end('status\nquit\nstart web\n');
    const before = d.requests.length;
    assert.equal(await runCtl(['-s', d.path], io), 0);
    assert.deepEqual(d.requests.slice(before).map((r) => r.cmd), ['status']);
  });

  it('--json applies to every line', async () => {
    const io = testIO();
    io.stdinStream.end('version\nbogus\n');
    assert.equal(await runCtl(['--json', '-s', d.path], io), 1);
    const lines = io.out().trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines[0].daemon, { version: '1.2.3', protocol: 2 });
    assert.equal(lines[1].error.code, 'EUSAGE');
  });

  it('an unreachable daemon fails each line with 4 and the shell goes on', async () => {
    const io = testIO();
    io.stdinStream.end('status\nhelp exit\n');
    assert.equal(await runCtl(['-s', '/nonexistent/tm.sock'], io), 0);
    assert.match(io.err(), /^cannot reach taskmasterd at \/nonexistent\/tm\.sock/);
    assert.equal(io.out(), 'usage: exit\n  leave the shell (Ctrl-D does too)\n');
  });

  it('keeps the last 1000 history entries', async () => {
    const io = testIO();
    const file = join(io.homedir, '.taskmasterctl_history');
    writeFileSync(file, Array.from({ length: 1005 }, (_, i) => `cmd ${i}\n`).join(''));
    io.stdinStream.end('version\n');
    assert.equal(await runCtl(['-s', d.path], io), 0);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    assert.deepEqual([lines.length, lines[0], lines.at(-2), lines.at(-1)], [1001, 'cmd 5', 'cmd 1004', 'version']);
  });
});

describe('shell on a terminal', () => {
  let d: FakeDaemon;
  before(async () => (d = await startFakeDaemon(HANDLERS)));
  after(() => d.close());

  /** A fake terminal: the test types a step, then waits `until` the screen shows what it expects. */
  function terminal() {
    const screen = new PassThrough();
    let shown = '';
    const waiters: { ready: (shown: string) => boolean; resolve: () => void }[] = [];
    const check = () => {
      for (const w of [...waiters]) if (w.ready(shown)) waiters.splice(waiters.indexOf(w), 1), w.resolve();
    };
    screen.on('data', (b: Buffer) => ((shown += b.toString()), check()));
    const io = testIO({ isTTY: true, terminal: screen });
    const out = io.stdout;
    io.stdout = (s) => (out(s), (shown += s), check());
    const until = (text: string | ((shown: string) => boolean)) =>
      new Promise<void>((resolve) => {
        waiters.push({ ready: typeof text === 'string' ? (s) => s.includes(text) : text, resolve });
        check();
      });
    return { io, until, shown: () => shown };
  }

  it('prompts, completes a command with Tab, runs it, and leaves with 0 on Ctrl-D', async () => {
    const t = terminal();
    const code = runCtl(['-s', d.path], t.io);
    await t.until('taskmaster> ');
    const before = d.requests.length;
    t.io.stdinStream.write('vers\t');
    await t.until('version');
    t.io.stdinStream.write('\r');
    await t.until('1.2.3\n');
    t.io.stdinStream.write('\x04'); // Ctrl-D on an empty line
    assert.equal(await code, 0);
    assert.deepEqual(d.requests.slice(before).map((r) => r.cmd), ['version']);
    assert.equal(readFileSync(join(t.io.homedir, '.taskmasterctl_history'), 'utf8'), 'version\n');
  });

  it('offers the saved history on the up arrow', async () => {
    const t = terminal();
    writeFileSync(join(t.io.homedir, '.taskmasterctl_history'), 'shutdown\nversion\n');
    const code = runCtl(['-s', d.path], t.io);
    await t.until('taskmaster> ');
    t.io.stdinStream.write('\x1b[A\x1b[A\r'); // two up: shutdown
    await t.until('shut down\n');
    t.io.stdinStream.write('exit\r');
    assert.equal(await code, 0);
  });

  it('Ctrl-C stops a running tail -f and returns to the prompt; idle, it drops the line', async () => {
    const tailing = await startFakeDaemon({
      tail: (_q, c) => (c.item({ data: 'first\n' }), c.item({ data: 'second\n' })),
      version: reply({ version: '7.7.7', protocol: 2 }),
    });
    try {
      const t = terminal();
      const code = runCtl(['-s', tailing.path], t.io);
      await t.until('taskmaster> ');
      t.io.stdinStream.write('tail -f web\r');
      await t.until('second\n');
      t.io.stdinStream.write('\x03');
      await t.until((shown) => shown.split('taskmaster> ').length === 3); // the second prompt
      t.io.stdinStream.write('version\r');
      await t.until((shown) => shown.split('taskmaster> ').length === 4);
      t.io.stdinStream.write('vers\x03'); // with nothing running, Ctrl-C drops the typed line
      t.io.stdinStream.write('version\r');
      await t.until((shown) => shown.split('7.7.7\n').length === 3);
      t.io.stdinStream.end();
      assert.equal(await code, 0);
    } finally {
      await tailing.close();
    }
  });
});

describe('completion', () => {
  const names = async () => namesFrom(ROWS);

  it('completes command names first', async () => {
    assert.deepEqual(await completeLine('sta', names), [['status', 'start'], 'sta']);
    assert.deepEqual(await completeLine('q', names), [['quit'], 'q']);
  });

  it('then names, with all where the command takes it', async () => {
    assert.deepEqual(await completeLine('status ', names), [['cron', 'web', 'web:*', 'web:0', 'web:1'], '']);
    assert.deepEqual(await completeLine('stop web:0 w', names), [['web', 'web:*', 'web:0', 'web:1'], 'w']);
    assert.deepEqual(await completeLine('start a', names), [['all'], 'a']);
    assert.deepEqual(await completeLine('status a', names), [[], 'a']);
  });

  it("knows tail's stream, flags and their values, and signal names", async () => {
    assert.deepEqual(await completeLine('tail -f web:1 s', names), [['stdout', 'stderr'], 's']);
    assert.deepEqual(await completeLine('tail -n ', names), [[], '']);
    assert.deepEqual(await completeLine('tail -n 5 c', names), [['cron'], 'c']);
    assert.deepEqual(await completeLine('tail -', names), [['-f', '-n'], '-']);
    assert.deepEqual(await completeLine('signal TE', names), [['TERM'], 'TE']);
    assert.deepEqual(await completeLine('signal TERM c', names), [['cron'], 'c']);
    assert.deepEqual(await completeLine('help ma', names), [['maintail'], 'ma']);
    assert.deepEqual(await completeLine('reload x', names), [[], 'x']);
  });

  it('asks the daemon again only after the cache expires, and gives nothing when it is down', async () => {
    let clock = 0;
    let calls = 0;
    const source = cachedNames(async () => (calls++, ROWS), 2000, () => clock);
    await source();
    clock = 1999;
    await source();
    assert.equal(calls, 1);
    clock = 2000;
    assert.deepEqual(await source(), ['cron', 'web', 'web:*', 'web:0', 'web:1']);
    assert.equal(calls, 2);
    const down = cachedNames(async () => Promise.reject(new Error('ECONNECT')));
    assert.deepEqual(await down(), []);
  });
});
