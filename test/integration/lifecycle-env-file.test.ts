// env_file with the real daemon: the child's environment from the file under
// `env`, a changed file restarting the program at reload, and a bad line
// refusing the reload with both places named.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { locatedIn } from './control-helpers';
import { program, waitState, withDaemon, withScratch } from './lifecycle-helpers';

/** The variables a process was started with, as the kernel keeps them. */
function environOf(pid: number): Record<string, string> {
  const pairs = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter((e) => e.includes('='));
  return Object.fromEntries(pairs.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
}

test('env_file: the child has the file\'s variables, env wins over them; a changed file restarts it at reload; a bad line is refused', () =>
  withScratch(async (dir) => {
    const envFile = join(dir, 'app.env');
    writeFileSync(envFile, '# settings\nFROM_FILE="two words"\nBOTH=file\n');
    const programs = program('envy', { env_file: envFile, env: { BOTH: 'env' } });
    await withDaemon(programs, async (d) => {
      const first = await waitState(d, 'envy', 'RUNNING');
      const env = environOf(first.pid!);
      assert.deepEqual([env.FROM_FILE, env.BOTH], ['two words', 'env']);

      writeFileSync(envFile, 'FROM_FILE=changed\n');
      const r = d.ctl('reload');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^restarted: envy$/m);
      const second = await waitState(d, 'envy', 'RUNNING', (s) => s.pid !== first.pid);
      assert.equal(environOf(second.pid!).FROM_FILE, 'changed');

      writeFileSync(envFile, 'FROM_FILE=x\noops\n');
      const refused = d.ctl('reload');
      assert.equal(refused.code, 1, refused.stdout);
      const line = refused.stderr.split('\n').find((l) => locatedIn(d.configFile).test(l));
      assert.ok(line !== undefined, refused.stderr);
      assert.ok(line.includes(`program "envy", key "env_file": ${envFile}:2: expected NAME=VALUE, got "oops"`), line);
      assert.equal((await waitState(d, 'envy', 'RUNNING')).pid, second.pid, 'a refused reload changes nothing');
    });
  }));
