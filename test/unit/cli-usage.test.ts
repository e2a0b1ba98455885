// Usage errors, help, version, and the small pure parts: splitting, argument
// parsing, suggestions, and the error-code → exit-code table.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { COMMANDS } from '../../src/cli/commands';
import { EXIT, exitCodeOf } from '../../src/cli/exit-codes';
import { runCtl } from '../../src/cli/main';
import { splitLine } from '../../src/cli/split';
import { nearest } from '../../src/config/suggest';
import { VERSION as CLI_VERSION } from '../../src/version';
import { ERROR_CODES } from '../../src/protocol/errors';
import { testIO } from './cli-fake-daemon';

// No daemon anywhere: usage errors must be found before any connection is tried.
const NOWHERE = ['-s', '/nonexistent/tm.sock'];

async function run(...argv: string[]) {
  const io = testIO();
  const code = await runCtl(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe('usage errors: message and exit 1', () => {
  it('an unknown command suggests the nearest', async () => {
    assert.deepEqual(await run(...NOWHERE, 'stauts'), { code: 1, out: '', err: 'unknown command "stauts"; did you mean "status"?\n' });
    assert.deepEqual(await run(...NOWHERE, 'frobnicate'), {
      code: 1,
      out: '',
      err: 'unknown command "frobnicate"; "help" lists the commands\n',
    });
  });

  it('a missing NAME says what is needed', async () => {
    assert.equal((await run(...NOWHERE, 'start')).err, 'start: missing NAME\nusage: start NAME…|all\n');
    assert.equal((await run(...NOWHERE, 'signal')).err, 'signal: missing SIG and NAME\nusage: signal SIG NAME…|all\n');
    assert.equal((await run(...NOWHERE, 'signal', 'TERM')).err, 'signal: missing NAME\nusage: signal SIG NAME…|all\n');
    assert.equal((await run(...NOWHERE, 'config')).code, 1);
  });

  it('bad flags and extra arguments', async () => {
    assert.deepEqual(await run(...NOWHERE, 'tail', '-x', 'web'), {
      code: 1,
      out: '',
      err: 'tail: unknown option -x\nusage: tail [-f] [-n N] NAME [stdout|stderr]\n',
    });
    assert.equal((await run(...NOWHERE, 'tail', '-n', 'ten', 'web')).err.split('\n')[0], 'tail: -n needs a non-negative integer, got "ten"');
    assert.equal((await run(...NOWHERE, 'tail', 'web', 'stdin')).err.split('\n')[0], 'tail: the stream is stdout or stderr, not "stdin"');
    assert.equal((await run(...NOWHERE, 'reload', 'now')).err, 'reload: unexpected argument "now"\nusage: reload\n');
    assert.equal((await run('--bogus', 'status')).err.split('\n')[0], 'unknown option --bogus');
    assert.equal((await run('-s')).err.split('\n')[0], '-s needs a value');
  });

  it('--json puts usage errors on stdout as EUSAGE', async () => {
    assert.deepEqual(await run('--json', ...NOWHERE, 'stop'), {
      code: 1,
      out: JSON.stringify({ error: { code: 'EUSAGE', message: 'stop: missing NAME\nusage: stop [--with-dependents] NAME…|all' } }) + '\n',
      err: '',
    });
  });
});

describe('help and version', () => {
  it('-h prints usage and every command', async () => {
    const r = await run('-h');
    assert.equal(r.code, 0);
    assert.match(r.out, /^usage: taskmasterctl \[-c CONFIG \| -s SOCKET\] \[--json\]/);
    for (const c of COMMANDS) assert.ok(r.out.includes(`  ${c.usage}`), c.name);
  });

  it('help lists the commands; help COMMAND shows its usage', async () => {
    const list = await run(...NOWHERE, 'help');
    assert.equal(list.code, 0);
    assert.match(list.out, /^commands:\n {2}status \[-l\] \[NAME…\] +show the state of all processes, or of the named ones \(-l: with CPU, memory, restarts, last exit\)\n/);
    assert.match(list.out, /\n {2}exit, quit +leave the shell/);
    assert.deepEqual(await run(...NOWHERE, 'help', 'tail'), {
      code: 0,
      out: "usage: tail [-f] [-n N] NAME [stdout|stderr]\n  show the last N (10) lines of a process's log; -f follows it\n",
      err: '',
    });
    assert.equal((await run(...NOWHERE, 'help', 'stat')).err, 'unknown command "stat"; did you mean "start"?\n');
    const json = await run('--json', ...NOWHERE, 'help', 'quit');
    assert.deepEqual(JSON.parse(json.out), { name: 'exit', aliases: ['quit'], usage: 'exit', summary: 'leave the shell (Ctrl-D does too)' });
  });

  it('-V prints the CLI version, which is package.json\'s', async () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as { version: string };
    assert.equal(CLI_VERSION, pkg.version);
    assert.deepEqual(await run('-V'), { code: 0, out: `taskmasterctl ${pkg.version}\n`, err: '' });
    assert.deepEqual(JSON.parse((await run('--json', '--version')).out), { version: pkg.version, protocol: 2 });
  });

  it('exit and quit do nothing one-shot, exit 0', async () => {
    assert.deepEqual(await run(...NOWHERE, 'exit'), { code: 0, out: '', err: '' });
    assert.deepEqual(await run('--json', ...NOWHERE, 'quit'), { code: 0, out: '{}\n', err: '' });
  });
});

describe('exit codes', () => {
  it('ECONNECT, ENOPROGRAM, ENOJOB and ENOTOKEN are 4, every other code 1', () => {
    const unreachable = ['ECONNECT', 'ENOPROGRAM', 'ENOJOB', 'ENOTOKEN'];
    for (const code of ERROR_CODES) {
      assert.equal(exitCodeOf(code), unreachable.includes(code) ? EXIT.UNREACHABLE : EXIT.ERROR, code);
    }
    assert.equal(exitCodeOf('EUSAGE'), 1);
  });
});

describe('splitLine', () => {
  it('splits on blanks and honours quotes and backslashes', () => {
    assert.deepEqual(splitLine('  start  web:*   all '), ['start', 'web:*', 'all']);
    assert.deepEqual(splitLine(`signal 'TE'RM "my prog" a\\ b ""`), ['signal', 'TERM', 'my prog', 'a b', '']);
    assert.deepEqual(splitLine('x "a\\"b\\\\c\\n"'), ['x', 'a"b\\c\\n']);
    assert.deepEqual(splitLine(''), []);
  });

  it('an unterminated quote is a usage error', () => {
    assert.throws(() => splitLine('start "web'), { name: 'UsageError', message: 'unterminated " quote' });
  });
});

describe('nearest', () => {
  it('picks the closest word within reach, or none', () => {
    assert.equal(nearest('restrat', ['start', 'restart', 'reload']), 'restart');
    assert.equal(nearest('shutdwn', ['shutdown', 'status']), 'shutdown');
    assert.equal(nearest('xyz', ['status', 'reload']), null);
  });
});
