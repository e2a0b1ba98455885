// Never a half-applied reload: a running daemon is given a few hundred
// mutated configs (see test/unit/faults-config-mutations.ts) that loadConfig
// refuses, one `reload` each. Every one must be refused with EBADCONFIG and
// positioned errors, and leave the process list, states and pids exactly as
// they were. The seed is printed; TASKMASTER_FUZZ_SEED replays it.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load';
import { fuzzSeed, Rng } from '../fixtures/seeded-random';
import { mutateConfig } from '../unit/faults-config-mutations';
import type { Daemon, ProcessStatus } from './harness';
import { program, waitState, withDaemon } from './lifecycle-helpers';

const RELOADS = Number(process.env.TASKMASTER_FUZZ_RELOADS ?? 300);

const snapshot = async (d: Daemon): Promise<string[]> => (await d.status()).map((s: ProcessStatus) => `${s.name} ${s.state} ${s.pid}`);

test(`${RELOADS} refused reloads of mutated configs each leave every process as it was`, (t) =>
  withDaemon(
    program('web', { numprocs: 2, env: { MODE: 'web' } }) + program('idle', { autostart: false, stopsignal: 'INT' }) + program('solo', { exitcodes: [0, 2] }),
    async (d) => {
      const seed = fuzzSeed();
      t.diagnostic(`seed ${seed} (replay: TASKMASTER_FUZZ_SEED=${seed})`);
      console.log(`faults-config-reload: seed ${seed}`);
      for (const n of ['web:0', 'web:1', 'solo']) await waitState(d, n, 'RUNNING');
      const before = await snapshot(d);
      const original = readFileSync(d.configFile, 'utf8');
      // Mutations are judged on a file beside the real one, so relative paths mean the same.
      const probe = join(d.dir, 'probe.yaml');
      const rng = new Rng(seed);
      let applied = 0;
      let tried = 0;
      while (applied < RELOADS) {
        tried++;
        const text = mutateConfig(rng, original);
        writeFileSync(probe, text);
        const judged = loadConfig(probe);
        if (judged.ok) continue; // a valid mutation would rightly change things; only refusals are sent
        writeFileSync(d.configFile, text);
        const r = await d.request({ cmd: 'reload' });
        const where = `reload #${applied} (seed ${seed}):\n${text.slice(0, 1500)}`;
        assert.equal(r.ok, false, where);
        const error = r.error as { code: string; message: string };
        assert.equal(error.code, 'EBADCONFIG', where);
        assert.match(error.message, /:\d+:\d+: /, `the refusal names file:line:col — ${where}`);
        assert.match(error.message, /nothing changed/, where);
        assert.deepEqual(await snapshot(d), before, where);
        applied++;
      }
      t.diagnostic(`${applied} refused reloads out of ${tried} mutations (the rest were valid and not sent)`);

      // The original again: accepted, and nothing to do.
      writeFileSync(d.configFile, original);
      const back = await d.request({ cmd: 'reload' });
      assert.equal(back.ok, true, JSON.stringify(back));
      assert.deepEqual((back.result as { unchanged: string[] }).unchanged.sort(), ['idle', 'solo', 'web']);
      assert.deepEqual(await snapshot(d), before);
      assert.equal(d.proc.exitCode, null);
    },
  ));
