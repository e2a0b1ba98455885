// The stats over the remote API (-H): status -l as a read-only identity, and
// top's stream (--json top: one JSON line per reading) until Ctrl-C.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { TASKMASTERCTL, waitFor } from './harness';
import { program, waitState } from './lifecycle-helpers';
import { startRemoteDaemon } from './remote-helpers';

test('status -l and top over -H carry the stats, for an identity with the read right', async () => {
  const rd = await startRemoteDaemon(program('worker', {}));
  try {
    await waitState(rd.d, 'worker', 'RUNNING');
    const r = await rd.ctl(rd.certs.dev, '--json', 'status', '-l');
    assert.equal(r.code, 0, r.stderr);
    const [row] = JSON.parse(r.stdout) as { name: string; stats: { processes: number; rss_bytes: number } | null }[];
    assert.equal(row!.stats?.processes, 1);
    assert.ok(row!.stats.rss_bytes > 0);

    const args = ['-H', `127.0.0.1:${rd.port()}`, '--cert', rd.certs.dev.cert, '--key', rd.certs.dev.key, '--ca', rd.certs.ca, '--json', 'top'];
    const top = spawn(TASKMASTERCTL, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    top.stdout.on('data', (c: Buffer) => (out += c.toString()));
    top.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const ended = new Promise<number | null>((resolve) => top.once('close', (code) => resolve(code)));
    const readings = () => out.split('\n').filter((l) => l.endsWith('}')).map((l) => JSON.parse(l) as { at: string; processes: { stats: unknown }[] });
    // Two readings: the stream goes on after the first.
    await waitFor(() => readings().length >= 2, `two readings from top (stderr: ${err})`);
    for (const reading of readings()) {
      assert.ok(!Number.isNaN(Date.parse(reading.at)));
      assert.ok(reading.processes[0]?.stats, 'watch fills the stats');
    }
    top.kill('SIGINT');
    assert.equal(await ended, 0, err);
  } finally {
    await rd.d.stop();
  }
});
