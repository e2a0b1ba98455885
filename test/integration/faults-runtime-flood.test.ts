// Output floods: 10 programs writing numbered lines as fast as the daemon
// takes them. Status keeps answering; each stream's files stay within
// maxbytes × (backups + 1); and where the backups are enough to hold it all,
// every line is on disk, in order: nothing is lost at a rotation.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Daemon, waitFor } from './harness';
import { program, withDaemon } from './lifecycle-helpers';
import { reportFigures, whileSampling } from './faults-runtime-helpers';

const LINES = 1_000_000;
const KEEP = { maxbytes: 1024 * 1024, backups: 20 }; // holds all of it
const CAP = { maxbytes: 64 * 1024, backups: 2 }; // holds the tail only
const keepers = Array.from({ length: 5 }, (_, i) => `keep${i}`);
const cappers = Array.from({ length: 5 }, (_, i) => `cap${i}`);

const expected = Buffer.from(Array.from({ length: LINES }, (_, i) => `line ${i}\n`).join(''));
const lastLine = Buffer.from(`line ${LINES - 1}\n`);

function programs(): string {
  const flood = (name: string, limits: { maxbytes: number; backups: number }) =>
    program(name, {
      env: { CHILD_LINES: LINES },
      stdout_maxbytes: limits.maxbytes,
      stdout_backups: limits.backups,
    });
  return [...keepers.map((n) => flood(n, KEEP)), ...cappers.map((n) => flood(n, CAP))].join('');
}

/** The stream's files, oldest first: FILE.N … FILE.1, FILE. */
function segments(d: Daemon, name: string): string[] {
  const base = `${name}.stdout.log`;
  const numbered = readdirSync(d.logdir)
    .filter((f) => f.startsWith(`${base}.`))
    .map((f) => Number(f.slice(base.length + 1)))
    .sort((a, b) => b - a);
  return [...numbered.map((n) => join(d.logdir, `${base}.${n}`)), join(d.logdir, base)];
}

function size(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function endsWithLastLine(path: string): boolean {
  try {
    const text = readFileSync(path);
    return text.subarray(text.length - lastLine.length).equals(lastLine);
  } catch {
    return false;
  }
}

test('a flood from 10 programs: status answers, disk use is bounded, and no line is lost at a rotation', async (t) => {
  await withDaemon(programs(), async (d) => {
    const t0 = performance.now();
    // Done when every stream's newest file ends with the last line; the keepers
    // also hold every byte by then.
    const { latency } = await whileSampling(d, 10, () =>
      waitFor(
        () => [...keepers, ...cappers].every((n) => endsWithLastLine(join(d.logdir, `${n}.stdout.log`))),
        'every flood to reach its last line',
        120_000,
      ),
    );
    const floodMs = performance.now() - t0;

    for (const name of keepers) {
      const files = segments(d, name);
      assert.ok(files.length <= KEEP.backups + 1, `${name}: ${files.length} files`);
      for (const f of files) assert.ok(size(f) <= KEEP.maxbytes, `${f} is ${size(f)} bytes, over maxbytes`);
      const all = Buffer.concat(files.map((f) => readFileSync(f)));
      assert.equal(all.length, expected.length, `${name}: bytes on disk`);
      assert.ok(all.equals(expected), `${name}: every line, in order, across ${files.length} files`);
    }
    for (const name of cappers) {
      const files = segments(d, name);
      assert.ok(files.length <= CAP.backups + 1, `${name}: ${files.length} files, backups ${CAP.backups}`);
      const used = files.reduce((sum, f) => sum + size(f), 0);
      assert.ok(used <= CAP.maxbytes * (CAP.backups + 1), `${name}: ${used} bytes on disk`);
      // What is kept is the end of the stream, whole and in order.
      const kept = Buffer.concat(files.map((f) => readFileSync(f)));
      assert.ok(kept.length > 0);
      assert.ok(expected.subarray(expected.length - kept.length).equals(kept), `${name}: the kept tail is the stream's tail`);
    }
    assert.equal(latency.failures, 0, 'every status request was answered');
    const states = await d.status();
    assert.deepEqual(states.map((s) => s.state), states.map(() => 'RUNNING'), 'the writers carry on');

    const totalBytes = expected.length * (keepers.length + cappers.length);
    const figures = {
      programs: keepers.length + cappers.length,
      lines_per_program: LINES,
      bytes_total: totalBytes,
      flood_ms: Math.round(floodMs),
      throughput_MB_s: Math.round((totalBytes / 1e6 / (floodMs / 1000)) * 10) / 10,
      status_latency: latency,
      cap_disk_bytes_max: Math.max(...cappers.map((n) => segments(d, n).reduce((s, f) => s + size(f), 0))),
      cap_bound_bytes: CAP.maxbytes * (CAP.backups + 1),
    };
    t.diagnostic(JSON.stringify(figures));
    await reportFigures('output_flood', figures);
  });
});
