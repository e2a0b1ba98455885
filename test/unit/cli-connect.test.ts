// Which socket taskmasterctl talks to, and what it says when it cannot.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCtl } from '../../src/cli/main';
import { resolveSocket } from '../../src/cli/socket';
import { DEFAULT_SOCKET } from '../../src/config/default-paths';
import { proc, reply, startFakeDaemon, testIO, type FakeDaemon } from './cli-fake-daemon';

const STATUS = reply({ processes: [proc('web', 'RUNNING', 'pid 7, uptime 0:00:05', { pid: 7 })] });

describe('socket selection', () => {
  let d: FakeDaemon;
  before(async () => (d = await startFakeDaemon({ status: STATUS })));
  after(() => d.close());

  it('-s names the socket', async () => {
    const io = testIO();
    assert.equal(await runCtl(['-s', d.path, 'status'], io), 0);
    assert.equal(io.out(), 'web   RUNNING   pid 7, uptime 0:00:05\n');
  });

  it('-c reads taskmasterd.socket, relative to the config file', async () => {
    const config = join(d.dir, 'tm.yaml');
    writeFileSync(config, 'taskmasterd:\n  socket: ./d.sock\nprograms: {}\n');
    const io = testIO();
    assert.equal(await runCtl(['-c', config, '--json', 'status'], io), 0);
    assert.equal(JSON.parse(io.out())[0].name, 'web');
  });

  it('-s wins over -c, and -c over TASKMASTER_SOCKET', async () => {
    const io = testIO({ env: { TASKMASTER_SOCKET: '/nonexistent/env.sock' } });
    assert.equal(await runCtl(['-c', '/nonexistent/tm.yaml', `--socket=${d.path}`, 'status'], io), 0);
    const config = join(d.dir, 'tm2.yaml');
    writeFileSync(config, `taskmasterd:\n  socket: ${d.path}\n`);
    assert.equal(await runCtl(['--config', config, 'status'], io), 0);
  });

  it('TASKMASTER_SOCKET is used when neither -s nor -c is given', async () => {
    const io = testIO({ env: { TASKMASTER_SOCKET: d.path } });
    assert.equal(await runCtl(['status'], io), 0);
    assert.equal(d.requests.at(-1)?.cmd, 'status');
  });

  it('then the default config file if it exists, else the default socket', async () => {
    const file = join(d.dir, 'default.yaml');
    assert.equal(await resolveSocket({}, {}, file), DEFAULT_SOCKET);
    writeFileSync(file, 'taskmasterd:\n  socket: /run/x/y.sock\n');
    assert.equal(await resolveSocket({}, {}, file), '/run/x/y.sock');
    assert.equal(await resolveSocket({}, { TASKMASTER_SOCKET: '/e.sock' }, file), '/e.sock');
  });

  it('an unreadable -c file is a config error, exit 1', async () => {
    const io = testIO();
    assert.equal(await runCtl(['-c', join(d.dir, 'missing.yaml'), 'status'], io), 1);
    assert.equal(io.err(), `cannot read the socket path from ${join(d.dir, 'missing.yaml')}: ENOENT (or give it with -s)\n`);
  });
});

describe('unreachable daemon', () => {
  it('no socket: ECONNECT text and exit 4', async () => {
    const io = testIO();
    assert.equal(await runCtl(['-s', '/nonexistent/tm.sock', 'status'], io), 4);
    assert.equal(
      io.err(),
      'cannot reach taskmasterd at /nonexistent/tm.sock: no socket at that path (ENOENT) (is it running? is -c/-s right?)\n',
    );
    assert.equal(io.out(), '');
  });

  it('no socket under --json: the error object on stdout, exit 4', async () => {
    const io = testIO();
    assert.equal(await runCtl(['--json', '-s', '/nonexistent/tm.sock', 'stop', 'all'], io), 4);
    assert.deepEqual(JSON.parse(io.out()), {
      error: {
        code: 'ECONNECT',
        message: 'cannot reach taskmasterd at /nonexistent/tm.sock: no socket at that path (ENOENT) (is it running? is -c/-s right?)',
      },
    });
    assert.equal(io.err(), '');
  });

  it('a file that is no listening socket: connection refused, exit 4', async () => {
    const d = await startFakeDaemon();
    const path = join(d.dir, 'stale.sock');
    writeFileSync(path, '');
    const io = testIO();
    try {
      assert.equal(await runCtl(['-s', path, 'version'], io), 4);
      assert.match(io.err(), /^cannot reach taskmasterd at .*stale\.sock: connection refused \(ECONNREFUSED\)/);
    } finally {
      await d.close();
    }
  });

  it('the daemon closing mid-request is ECONNECT, exit 4', async () => {
    const d = await startFakeDaemon({ status: (_req, conn) => conn.socket.destroy() });
    const io = testIO();
    try {
      assert.equal(await runCtl(['-s', d.path, 'status'], io), 4);
      assert.equal(io.err(), `taskmasterd at ${d.path} closed the connection before answering\n`);
    } finally {
      await d.close();
    }
  });
});

describe('hello', () => {
  it('is sent first, with the protocol version', async () => {
    const d = await startFakeDaemon({ version: reply({ version: '1.2.3', protocol: 2 }) });
    try {
      assert.equal(await runCtl(['-s', d.path, 'version'], testIO()), 0);
      assert.equal(d.hellos, 1);
      assert.deepEqual(d.requests, [{ id: 1, cmd: 'version' }]);
    } finally {
      await d.close();
    }
  });

  it('an EVERSION answer is shown as a version mismatch, exit 1, and the next answer is not believed', async () => {
    const d = await startFakeDaemon({
      hello: (_req, conn) => conn.fail('EVERSION', 'taskmasterd speaks protocol 3, you sent 2'),
      status: STATUS,
    });
    const io = testIO();
    try {
      assert.equal(await runCtl(['-s', d.path, 'status'], io), 1);
      assert.equal(io.err(), 'protocol version mismatch: taskmasterd speaks protocol 3, you sent 2\n');
      assert.equal(io.out(), '');
    } finally {
      await d.close();
    }
  });

  it('tail -f behind a refused hello prints nothing the daemon sent', async () => {
    const d = await startFakeDaemon({
      hello: (_req, conn) => conn.fail('EVERSION', 'protocol 3 only'),
      tail: (_req, conn) => (conn.item({ data: 'should not show\n' }), conn.item({ data: 'nor this\n' }), conn.end()),
    });
    const io = testIO();
    try {
      assert.equal(await runCtl(['-s', d.path, 'tail', '-f', 'web'], io), 1);
      assert.equal(io.out(), '');
      assert.equal(io.err(), 'protocol version mismatch: protocol 3 only\n');
    } finally {
      await d.close();
    }
  });

  it('a hello result with another protocol number is a mismatch too', async () => {
    const d = await startFakeDaemon({ hello: reply({ version: '3.0.0', protocol: 3 }), status: STATUS });
    const io = testIO();
    try {
      assert.equal(await runCtl(['--json', '-s', d.path, 'status'], io), 1);
      assert.deepEqual(JSON.parse(io.out()), {
        error: { code: 'EVERSION', message: 'taskmasterd 3.0.0 speaks protocol 3, taskmasterctl speaks 2' },
      });
    } finally {
      await d.close();
    }
  });
});
