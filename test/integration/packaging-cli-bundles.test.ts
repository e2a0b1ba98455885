// What a local taskmasterctl run loads. Its start-up is timed against
// `node -e 0`, so the CLI's main bundle holds no protobuf-es reflection (a
// local command reads the schema's JSON with src/protocol/local-codec.ts), and
// a run loads only the bundles it needs: the config reader for -c, never the
// remote Caller or the job commands' work.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from './harness';
import { program, waitState, withDaemon } from './lifecycle-helpers';

// protobuf-es's descriptor building and JSON reading, by the names esbuild keeps.
const REFLECTION = ['function fileDesc(', 'function boot(', 'function fromJson('];

function bundle(name: string): string {
  return readFileSync(join(ROOT, 'dist', name), 'utf8');
}

test("taskmasterctl's main bundle has none of protobuf-es's reflection; the remote bundle, which needs it, has all of it", () => {
  const ctl = bundle('taskmasterctl.js');
  const remote = bundle('taskmasterctl-remote.js');
  for (const name of REFLECTION) {
    // The check sees the code where it is, so its absence below means something.
    assert.ok(remote.includes(name), `taskmasterctl-remote.js has ${name}`);
    assert.ok(!ctl.includes(name), `taskmasterctl.js has ${name}`);
  }
});

/** The bundle files one run of `taskmasterctl ARGS` reads, under plain node (the same bundles, read from dist/). */
function bundlesRead(dir: string, args: string[]): string[] {
  const hook = join(dir, 'record-reads.js');
  const log = join(dir, 'reads.log');
  // Every file the run reads with readFileSync, written down as the process exits.
  writeFileSync(
    hook,
    `const fs = require('node:fs'); const read = fs.readFileSync; const seen = [];
     fs.readFileSync = function (file, ...rest) { seen.push(String(file)); return read.call(this, file, ...rest); };
     process.on('exit', () => fs.writeFileSync(${JSON.stringify(log)}, seen.join('\\n')));`,
  );
  execFileSync(process.execPath, ['-r', hook, join(ROOT, 'dist/taskmaster.js'), 'ctl', ...args], { encoding: 'utf8' });
  const dist = join(ROOT, 'dist') + '/';
  const read = readFileSync(log, 'utf8').split('\n').filter((f) => f.startsWith(dist)).map((f) => f.slice(dist.length));
  // taskmaster.js is the main script, which node itself reads.
  return [...new Set(read)].filter((f) => f !== 'taskmaster.js').sort();
}

test('a local status reads only the CLI bundle; with -c, the config reader too; never the remote or jobs bundles', () =>
  withDaemon(program('web', {}), async (d) => {
    await waitState(d, 'web', 'RUNNING');
    assert.deepEqual(bundlesRead(d.dir, ['-s', d.socket, 'status']), ['taskmasterctl.js', 'taskmasterctl.js.cache']);
    assert.deepEqual(bundlesRead(d.dir, ['-c', d.configFile, 'status']), [
      'taskmasterctl-config.js',
      'taskmasterctl-config.js.cache',
      'taskmasterctl.js',
      'taskmasterctl.js.cache',
    ]);
    // The hook sees a lazily loaded bundle when one is loaded: a job command loads its own.
    const jobs = bundlesRead(d.dir, ['-s', d.socket, 'ps']);
    assert.ok(jobs.includes('taskmasterctl-jobs.js'), jobs.join(', '));
  }));
