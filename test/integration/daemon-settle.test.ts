// Once start-up is over the daemon gives back what only start-up needed
// (src/daemon/settle.ts): the pages of its executable that start-up mapped
// (some 25 MiB of RSS) and start-up's garbage. It must work on as before:
// the released pages come back on use.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Daemon, rawRequest, ROOT, startDaemon, waitFor } from './harness';
import { program, waitState } from './lifecycle-helpers';

const rssFileMiB = (pid: number): number => Number(/^RssFile:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

/** Waits for the daemon's log line `<what>: RSS <was> MiB -> <now> MiB` (on its stderr). */
async function rssLogged(d: Daemon, what: string): Promise<{ was: number; now: number }> {
  const pattern = new RegExp(`${what}: RSS ([\\d.]+) MiB -> ([\\d.]+) MiB`);
  const m = await waitFor(() => pattern.exec(d.output()), `the log line "${what}"`);
  return { was: Number(m![1]), now: Number(m![2]) };
}

test('settled after start-up: the executable pages are released, and status, restart and reload work on', async () => {
  const sleeper = (name: string): string => program(name, { cmd: '/bin/sleep 1000' });
  const d = await startDaemon(sleeper('a') + sleeper('b'));
  try {
    const settled = await rssLogged(d, 'settled after start-up');
    const nowFile = rssFileMiB(d.proc.pid!);
    // Measured here: RSS 55 -> 25 MiB, the file-backed part 39 -> 12 MiB.
    assert.ok(settled.now < settled.was - 10, `RSS ${settled.was} -> ${settled.now} MiB: less than 10 MiB released`);
    assert.ok(nowFile < settled.was - 20, `file-backed RSS ${nowFile.toFixed(1)} MiB against ${settled.was} MiB in all before`);

    const { pid } = await waitState(d, 'a', 'RUNNING');
    assert.equal(d.ctl('restart', 'a').code, 0);
    await waitState(d, 'a', 'RUNNING', (s) => s.pid !== pid);

    d.writeConfig(sleeper('a') + sleeper('b') + sleeper('c'));
    const reload = d.ctl('reload');
    assert.equal(reload.code, 0, reload.stderr);
    await waitState(d, 'c', 'RUNNING');
    const released = await rssLogged(d, 'executable pages released after a reload');
    assert.ok(released.now < released.was, `RSS ${released.was} -> ${released.now} MiB`);
    assert.equal((await d.status()).length, 3);
  } finally {
    await d.stop();
  }
});

// A build without a C compiler carries an empty addon file. Run here as the
// bundles outside the single executable (node on dist/'s scripts, copied
// beside such an empty file): the daemon says so, settles all the same, and
// works on.
test('without the memory addon: a warning, the settle without the release, and a working daemon', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tm-nomem-'));
  for (const f of ['taskmaster.js', 'taskmasterd.js', 'taskmasterd.js.cache', 'taskmaster-spawn.node']) copyFileSync(join(ROOT, 'dist', f), join(dir, f));
  writeFileSync(join(dir, 'taskmaster-memory.node'), '');
  const socket = join(dir, 'tm.sock');
  writeFileSync(join(dir, 'c.yaml'), `taskmasterd:\n  socket: ${socket}\n  childlogdir: ${dir}\nprograms:\n  a:\n    cmd: /bin/sleep 1000\n`);
  // NODE_PATH: node-unix-socket's addon is found in the project's node_modules.
  const daemon = spawn(process.execPath, [join(dir, 'taskmaster.js'), 'daemon', '-c', join(dir, 'c.yaml')], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') },
  });
  let stderr = '';
  daemon.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise((r) => daemon.once('exit', r));
  try {
    await waitFor(() => /settled after start-up: RSS/.test(stderr), 'the settle log line');
    assert.match(stderr, /the executable's start-up pages stay mapped: .*empty/);
    const answer = await rawRequest(socket, { cmd: 'status', names: [] });
    assert.equal(answer.ok, true, JSON.stringify(answer));
  } finally {
    daemon.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
});
