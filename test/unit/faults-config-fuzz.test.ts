// 10,000 mutated configs (see faults-config-mutations.ts) through loadConfig:
// each one either loads into a config that keeps the typed promises, or is
// refused with errors that each say where (line ≥ 1, col ≥ 1) and what.
// loadConfig must never throw, and no message may carry a stack trace.
//
// The seed is printed; TASKMASTER_FUZZ_SEED=<seed> replays the same cases,
// TASKMASTER_FUZZ_CASES=<n> changes how many run.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load';
import type { Config, ConfigIssue, LoadResult } from '../../src/config/types';
import { fuzzSeed, Rng } from '../fixtures/seeded-random';
import { baseConfig, EXTRA, maybeBinary, mutateConfig } from './faults-config-mutations';

const CASES = Number(process.env.TASKMASTER_FUZZ_CASES ?? 10_000);

function issueProblem(i: ConfigIssue, kind: 'error' | 'warning'): string | null {
  if (!(i.line >= 1 && i.col >= 1)) return `${kind} without a position: ${JSON.stringify(i).slice(0, 300)}`;
  if (typeof i.message !== 'string' || i.message.trim() === '') return `${kind} without a message: ${JSON.stringify(i)}`;
  if (/\n\s+at .*:\d+:\d+/.test(i.message) || /\b(TypeError|RangeError|ReferenceError)\b|Maximum call stack/.test(i.message)) {
    return `${kind} with a stack trace or a JS error: ${i.message.slice(0, 300)}`;
  }
  if (!isAbsolute(i.file)) return `${kind} with a relative file: ${i.file}`;
  return null;
}

/** What a loaded config promises the rest of taskmaster. */
function configProblem(c: Config): string | null {
  if (!isAbsolute(c.daemon.socket) || !isAbsolute(c.daemon.childlogdir)) return 'a relative daemon path';
  if (!Number.isInteger(c.daemon.socket_mode) || c.daemon.socket_mode < 0 || c.daemon.socket_mode > 0o777) return `socket_mode ${c.daemon.socket_mode}`;
  const names = new Set<string>();
  for (const p of c.programs) {
    if (names.has(p.name)) return `program ${p.name} twice`;
    names.add(p.name);
    if (!/^[A-Za-z0-9_.-]+$/.test(p.name) || p.name === 'all') return `program name ${JSON.stringify(p.name)}`;
    if (p.argv.length === 0 || p.argv.some((a) => typeof a !== 'string')) return `${p.name}: argv ${JSON.stringify(p.argv)}`;
    if (!Number.isInteger(p.numprocs) || p.numprocs < 1 || p.numprocs > 10_000) return `${p.name}: numprocs ${p.numprocs}`;
    for (const k of ['starttime', 'stoptime', 'restartdelay', 'restartdelay_max'] as const) {
      if (!Number.isFinite(p[k]) || p[k] < 0) return `${p.name}: ${k} ${p[k]}`;
    }
    for (const k of ['startretries', 'stdout_maxbytes', 'stderr_maxbytes', 'stdout_backups', 'stderr_backups', 'priority'] as const) {
      if (!Number.isSafeInteger(p[k])) return `${p.name}: ${k} ${p[k]}`;
    }
    if (!p.exitcodes.every((e) => Number.isInteger(e))) return `${p.name}: exitcodes ${JSON.stringify(p.exitcodes)}`;
    if (!Object.values(p.env).every((v) => typeof v === 'string')) return `${p.name}: env ${JSON.stringify(p.env)}`;
    if (p.umask !== null && !(Number.isInteger(p.umask) && p.umask >= 0 && p.umask <= 0o777)) return `${p.name}: umask ${p.umask}`;
  }
  return null;
}

function problemsOf(result: LoadResult): string[] {
  const out: string[] = [];
  if (result.ok) {
    const p = configProblem(result.config);
    if (p !== null) out.push(`loaded, but ${p}`);
  } else {
    if (result.errors.length === 0) out.push('refused without an error');
    for (const e of result.errors) {
      const p = issueProblem(e, 'error');
      if (p !== null) out.push(p);
    }
  }
  for (const w of result.warnings) {
    const p = issueProblem(w, 'warning');
    if (p !== null) out.push(p);
  }
  return out;
}

test(`config fuzz: ${CASES} mutated configs either load or are refused with positioned errors, never a throw`, (t) => {
  const seed = fuzzSeed();
  t.diagnostic(`seed ${seed} (replay: TASKMASTER_FUZZ_SEED=${seed})`);
  console.log(`faults-config-fuzz: seed ${seed}`);
  const rng = new Rng(seed);
  const dir = mkdtempSync(join(tmpdir(), 'tm-fuzz-config-'));
  const main = join(dir, 'taskmaster.yaml');
  const extra = join(dir, 'extra.yaml');
  const base = baseConfig(dir);
  // The unmutated files load: the fuzz starts from valid configs.
  writeFileSync(main, base);
  writeFileSync(extra, EXTRA);
  const valid = loadConfig(main);
  assert.equal(valid.ok, true, JSON.stringify(valid));

  const failures: string[] = [];
  let loaded = 0;
  let errors = 0;
  let extraDamaged = false;
  try {
    for (let i = 0; i < CASES && failures.length < 10; i++) {
      // Mostly the main file; one case in five damages the included file instead.
      const inExtra = rng.chance(0.2);
      const mainText = inExtra ? base : mutateConfig(rng, base);
      const extraText = inExtra ? mutateConfig(rng, EXTRA) : EXTRA;
      writeFileSync(main, maybeBinary(rng, mainText));
      if (inExtra || extraDamaged) writeFileSync(extra, maybeBinary(rng, extraText));
      extraDamaged = inExtra;
      let result: LoadResult;
      try {
        result = loadConfig(main);
      } catch (err) {
        failures.push(`case ${i}: loadConfig threw ${(err as Error).stack}\n--- ${inExtra ? 'extra.yaml' : 'main'}:\n${(inExtra ? extraText : mainText).slice(0, 2000)}`);
        continue;
      }
      if (result.ok) loaded++;
      else errors += result.errors.length;
      for (const p of problemsOf(result)) {
        failures.push(`case ${i}: ${p}\n--- ${inExtra ? 'extra.yaml' : 'main'}:\n${(inExtra ? extraText : mainText).slice(0, 2000)}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  t.diagnostic(`${CASES} cases: ${loaded} loaded, ${CASES - loaded} refused with ${errors} errors in all`);
  assert.deepEqual(failures, [], `seed ${seed}`);
  assert.ok(loaded > 0 && loaded < CASES, 'the mutations should produce both valid and invalid configs');
});
