// Reloading the config while the daemon runs, through `taskmasterctl reload`
// and through SIGHUP: what changes, what keeps its pid, and a refused
// reload that changes nothing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { alive, CHILD_CMD, type Daemon, stateOf, waitFor } from './harness';
import { locatedIn, pidsOf } from './control-helpers';
import { program, waitState, withDaemon } from './lifecycle-helpers';

const BEFORE =
  program('keep', {}) + program('gone', {}) + program('cmdchange', {}) + program('tweak', { startretries: 3 });
const AFTER =
  program('keep', {}) +
  program('cmdchange', { cmd: `${CHILD_CMD} --changed` }) +
  program('tweak', { startretries: 7 }) +
  program('added', {});

/** `file:line:col` of the first occurrence of `text` in the file. */
function positionOf(file: string, text: string): string {
  const lines = readFileSync(file, 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes(text));
  return `${file}:${line + 1}:${lines[line]!.indexOf(text) + 1}`;
}

async function allRunning(d: Daemon, names: string[]): Promise<Record<string, number | null>> {
  for (const n of names) await waitState(d, n, 'RUNNING');
  return pidsOf(d);
}

/** What every reload of BEFORE → AFTER must have done, whichever way it was asked for. */
async function assertApplied(d: Daemon, before: Record<string, number | null>): Promise<void> {
  const after = await allRunning(d, ['keep', 'cmdchange', 'tweak', 'added']);
  assert.deepEqual(Object.keys(after).sort(), ['added', 'cmdchange', 'keep', 'tweak']);
  assert.equal(after.keep, before.keep, 'an unchanged program keeps its process');
  assert.equal(after.tweak, before.tweak, 'a change applied in place keeps the process');
  assert.notEqual(after.cmdchange, before.cmdchange, 'a changed cmd restarts the process');
  assert.equal(alive(before.cmdchange!), false);
  assert.equal(alive(before.gone!), false, 'a removed program’s process is gone');
  const [tweak] = JSON.parse(d.ctl('config', 'tweak').stdout) as { startretries: number }[];
  assert.equal(tweak!.startretries, 7);
}

test('reload prints the diff and applies it: added, removed, restarted, updated; unchanged keep their pids', () =>
  withDaemon(BEFORE, async (d) => {
    const before = await allRunning(d, ['keep', 'gone', 'cmdchange', 'tweak']);
    d.writeConfig(AFTER);
    const r = d.ctl('reload');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^added: added$/m);
    assert.match(r.stdout, /^removed: gone$/m);
    assert.match(r.stdout, /^restarted: cmdchange$/m);
    assert.match(r.stdout, /^updated: tweak$/m);
    assert.doesNotMatch(r.stdout, /keep/);
    await assertApplied(d, before);
  }));

test('reload of an unchanged file says "no changes" and touches nothing', () =>
  withDaemon(BEFORE, async (d) => {
    const before = await allRunning(d, ['keep', 'gone', 'cmdchange', 'tweak']);
    const r = d.ctl('reload');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'no changes');
    assert.deepEqual(await pidsOf(d), before);
  }));

test('SIGHUP to the daemon reloads the same way', () =>
  withDaemon(BEFORE, async (d) => {
    const before = await allRunning(d, ['keep', 'gone', 'cmdchange', 'tweak']);
    d.writeConfig(AFTER);
    d.proc.kill('SIGHUP');
    await waitFor(async () => {
      const names = (await d.status()).map((s) => s.name);
      return !names.includes('gone') && names.includes('added');
    }, 'the reload to be applied');
    await assertApplied(d, before);
  }));

test('an invalid config is refused by reload: exit 1, every error with file:line:col, nothing changed', () =>
  withDaemon(BEFORE, async (d) => {
    const before = await allRunning(d, ['keep', 'gone', 'cmdchange', 'tweak']);
    d.writeConfig(program('keep', { startretrys: 3 }) + program('added', { stopsignal: 'BOGUS' }));
    const r = d.ctl('reload');
    assert.equal(r.code, 1, r.stdout);
    const errors = r.stderr.split('\n').filter((l) => locatedIn(d.configFile).test(l));
    assert.equal(errors.length, 2, r.stderr);
    assert.ok(errors[0]!.startsWith(`${positionOf(d.configFile, 'startretrys')}: program "keep", key "startretrys"`), errors[0]);
    assert.match(errors[0]!, /did you mean "startretries"/);
    assert.ok(errors[1]!.startsWith(`${positionOf(d.configFile, '"BOGUS"')}: program "added", key "stopsignal"`), errors[1]);
    assert.match(r.stderr, /nothing changed/);
    assert.deepEqual(await pidsOf(d), before);
    for (const pid of Object.values(before)) assert.ok(alive(pid!));
    // Still serving, and still reloading: a good file afterwards is applied.
    d.writeConfig(AFTER);
    assert.equal(d.ctl('reload').code, 0);
    await assertApplied(d, before);
  }));

test('an invalid config sent by SIGHUP is refused and logged; the daemon keeps serving the old one', () =>
  withDaemon(BEFORE, async (d) => {
    const before = await allRunning(d, ['keep', 'gone', 'cmdchange', 'tweak']);
    d.writeConfig(program('keep', { autostart: 'sometimes' }));
    d.proc.kill('SIGHUP');
    await waitFor(() => /reload refused/.test(d.output()), 'the refusal in the daemon log');
    assert.match(d.output(), locatedIn(d.configFile));
    assert.deepEqual(await pidsOf(d), before);
    assert.equal((await stateOf(d, 'gone')).state, 'RUNNING');
  }));
