// reload's diff and EBADCONFIG; tail and maintail, followed or not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCtl } from '../../src/cli/main';
import { items, reply, startFakeDaemon, testIO, type Handlers } from './cli-fake-daemon';
import type { CtlIO } from '../../src/cli/io';

async function withDaemon(handlers: Handlers, argv: string[], over: Partial<CtlIO> = {}) {
  const d = await startFakeDaemon(handlers);
  const io = testIO(over);
  try {
    const code = await runCtl(['-s', d.path, ...argv], io);
    return { code, out: io.out(), err: io.err(), requests: d.requests };
  } finally {
    await d.close();
  }
}

type Diff = Record<'added' | 'removed' | 'restarted' | 'updated' | 'unchanged', string[]>;
const diff = (over: Partial<Diff>): Diff => ({
  added: [],
  removed: [],
  restarted: [],
  updated: [],
  unchanged: [],
  ...over,
});

describe('reload', () => {
  it('prints the non-empty groups in order', async () => {
    const r = await withDaemon({ reload: reply(diff({ added: ['a', 'b'], removed: ['c'], updated: ['e'], unchanged: ['z'] })) }, [
      'reload',
    ]);
    assert.deepEqual([r.code, r.out, r.err], [0, 'added: a, b\nremoved: c\nupdated: e\n', '']);
    assert.deepEqual(r.requests, [{ id: 1, cmd: 'reload', dry_run: false }]);
  });

  it('prints "no changes" when only unchanged is non-empty', async () => {
    const r = await withDaemon({ reload: reply(diff({ unchanged: ['web'] })) }, ['reload']);
    assert.deepEqual([r.code, r.out], [0, 'no changes\n']);
  });

  it('restarted is shown', async () => {
    const r = await withDaemon({ reload: reply(diff({ restarted: ['d'] })) }, ['reload']);
    assert.equal(r.out, 'restarted: d\n');
  });

  it('EBADCONFIG: the issues as they are on stderr, exit 1', async () => {
    const message = 'tm.yaml:3:5: programs.web.numprocs: expected a positive integer, got "x"\ntm.yaml:9:1: unknown key "progams"; did you mean "programs"?';
    const r = await withDaemon({ reload: (_q, c) => c.fail('EBADCONFIG', message) }, ['reload']);
    assert.deepEqual([r.code, r.out, r.err], [1, '', message + '\n']);
  });

  it('--json prints the diff', async () => {
    const d = diff({ added: ['a'] });
    const r = await withDaemon({ reload: reply(d) }, ['--json', 'reload']);
    assert.deepEqual(JSON.parse(r.out), d);
  });
});

describe('tail', () => {
  it('defaults to stdout and 10 lines, writes the data raw', async () => {
    const r = await withDaemon({ tail: items('one\ntwo\n') }, ['tail', 'web']);
    assert.deepEqual([r.code, r.out], [0, 'one\ntwo\n']);
    assert.deepEqual(r.requests, [{ id: 1, cmd: 'tail', name: 'web', stream: 'OUTPUT_STREAM_STDOUT', lines: 10, follow: false, whole: false }]);
  });

  it('-n and the stream are passed through', async () => {
    const r = await withDaemon({ tail: items('x') }, ['tail', '-n', '3', 'web:1', 'stderr']);
    assert.deepEqual(r.requests, [{ id: 1, cmd: 'tail', name: 'web:1', stream: 'OUTPUT_STREAM_STDERR', lines: 3, follow: false, whole: false }]);
    assert.equal(r.out, 'x');
  });

  it('-f writes the initial data, then every chunk, until the daemon closes', async () => {
    const r = await withDaemon(
      {
        tail: (_q, c) => {
          c.item({ data: 'old\n' });
          c.item({ data: 'new 1\n' });
          setImmediate(() => {
            c.item({ data: 'new 2' });
            c.item({ data: ' continued\n' });
            setImmediate(() => c.end());
          });
        },
      },
      ['tail', '-f', '-n5', 'web'],
    );
    assert.deepEqual([r.code, r.out, r.err], [0, 'old\nnew 1\nnew 2 continued\n', '']);
    assert.deepEqual(r.requests, [{ id: 1, cmd: 'tail', name: 'web', stream: 'OUTPUT_STREAM_STDOUT', lines: 5, follow: true, whole: false }]);
  });

  it('-f ends with exit 0 when the daemon ends the stream', async () => {
    const r = await withDaemon({ tail: items('a\n', 'b\n') }, ['tail', '-f', 'web']);
    assert.deepEqual([r.code, r.out, r.err], [0, 'a\nb\n', '']);
  });

  it('-f: an error after some items is the error, exit 1', async () => {
    const r = await withDaemon(
      { tail: (_q, c) => (c.item({ data: 'a\n' }), c.fail('ENOPROGRAM', 'web was removed by a reload')) },
      ['tail', '-f', 'web'],
    );
    assert.deepEqual([r.code, r.out, r.err], [4, 'a\n', 'error: web was removed by a reload\n']);
  });

  it('the daemon closing before the first item is ECONNECT, exit 4', async () => {
    const r = await withDaemon({ tail: (_q, c) => c.end() }, ['tail', '-f', 'web']);
    assert.equal(r.code, 4);
    assert.match(r.err, /closed the connection before answering/);
  });

  it('-f stops on Ctrl-C with exit 0', async () => {
    const d = await startFakeDaemon({
      tail: (_q, c) => {
        c.item({ data: 'a\n' });
        c.item({ data: 'b\n' }); // and the daemon would go on for ever
      },
    });
    let interrupt = () => {};
    let out = '';
    const io = testIO({
      // Ctrl-C is pressed once the chunk has been printed.
      stdout: (s) => ((out += s), s === 'b\n' && interrupt()),
      onInterrupt: (listener) => {
        interrupt = listener;
        return () => (interrupt = () => {});
      },
    });
    try {
      assert.equal(await runCtl(['-s', d.path, 'tail', '-f', 'web'], io), 0);
      assert.equal(out, 'a\nb\n');
      assert.equal(io.err(), '');
    } finally {
      await d.close();
    }
  });

  it('-f --json prints one JSON object per piece', async () => {
    const r = await withDaemon(
      {
        tail: (_q, c) => {
          c.item({ data: 'a\n' });
          c.item({ data: 'b\n' });
          c.end();
        },
      },
      ['--json', 'tail', '-f', 'web'],
    );
    assert.equal(r.out, '{"data":"a\\n"}\n{"chunk":"b\\n"}\n');
  });

  it('ENOLOG is an error, exit 1', async () => {
    const r = await withDaemon({ tail: (_q, c) => c.fail('ENOLOG', 'web has no stdout log') }, ['tail', '-f', 'web']);
    assert.deepEqual([r.code, r.err], [1, 'error: web has no stdout log\n']);
  });
});

describe('maintail', () => {
  const line = (msg: string) => JSON.stringify({ level: 30, time: Date.UTC(2024, 0, 2, 3, 4, 5), msg, pid: 1 });

  it("renders the daemon's JSON lines for people", async () => {
    const r = await withDaemon({ maintail: items(`${line('started')}\n`) }, ['maintail', '-n', '1']);
    assert.deepEqual([r.code, r.out], [0, '2024-01-02 03:04:05.000 INFO  started\n']);
    assert.deepEqual(r.requests, [{ id: 1, cmd: 'maintail', lines: 1, follow: false }]);
  });

  it('-f joins a line split across chunks before rendering it', async () => {
    const whole = line('web entered RUNNING');
    const r = await withDaemon(
      {
        maintail: items('', whole.slice(0, 10), whole.slice(10) + '\n' + line('bye').slice(0, 5)),
      },
      ['maintail', '-f'],
    );
    assert.equal(r.out, `2024-01-02 03:04:05.000 INFO  web entered RUNNING\n${line('bye').slice(0, 5)}`);
  });

  it('--json gives the data untouched', async () => {
    const r = await withDaemon({ maintail: items(`${line('x')}\n`) }, ['--json', 'maintail']);
    assert.deepEqual(JSON.parse(r.out), { data: `${line('x')}\n` });
  });
});
