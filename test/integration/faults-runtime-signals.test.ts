// Signal storms: a hundred SIGHUPs with the config edited in between end in
// the last config, with each process running once and nothing left behind;
// SIGTERM in the middle of a reload still stops everything and exits 0.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { alive, CHILD_CMD, type Daemon, waitFor } from './harness';
import { program, waitLog, waitOutput, waitState, withDaemon } from './lifecycle-helpers';
import { childrenOf, logLines, processesMatching, reportFigures } from './faults-runtime-helpers';

// Marks this run's processes, so that a leftover anywhere on the machine
// (reparented to init, not only under the daemon) is found.
const tag = String(800_000 + Math.floor(Math.random() * 100_000));
const mine = new RegExp(`(^sleep ${tag}\\.)|(marker-${tag})`);

/** Generation g: `storm` with 4–1 instances and a new cmd each time; `extra` in odd ones. */
function generation(g: number): string {
  let text = program('storm', { cmd: `sleep ${tag}.${g}`, numprocs: 4 - (g % 4), starttime: 0.1 });
  if (g % 2 === 1) text += program('extra', { cmd: `sleep ${tag}.0${g}`, starttime: 0.1 });
  return text;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Every reload that began has ended (applied or refused). */
function reloadsSettled(d: Daemon): boolean {
  const begun = logLines(d, 'reloading config').length;
  const ended = logLines(d, 'reloaded: ').length + logLines(d, 'reload refused').length;
  return begun > 0 && begun === ended;
}

test('100 SIGHUPs with the config edited in between end in the last config, each process once', async (t) => {
  const LAST = 100;
  await withDaemon(generation(0), async (d) => {
    await waitState(d, 'storm:3', 'RUNNING');
    const daemonPid = d.proc.pid!;
    for (let g = 1; g <= LAST; g++) {
      d.writeConfig(generation(g));
      d.proc.kill('SIGHUP');
    }
    const want = ['storm:0', 'storm:1', 'storm:2', 'storm:3'];
    await waitFor(async () => {
      if (!reloadsSettled(d)) return false;
      const s = await d.status();
      return s.length === want.length && s.every((p) => p.state === 'RUNNING');
    }, 'the last config to be running', 120_000);

    const s = await d.status();
    assert.deepEqual(s.map((p) => p.name), want);
    const pids = s.map((p) => p.pid!);
    assert.equal(new Set(pids).size, pids.length, 'distinct pids');
    for (const pid of pids) assert.equal(cmdline(pid), `sleep ${tag}.${LAST}`, `pid ${pid} runs the last cmd`);
    assert.deepEqual(childrenOf(daemonPid), [...pids].sort((a, b) => a - b), 'the daemon has exactly these children');
    assert.deepEqual(processesMatching(mine), [...pids].sort((a, b) => a - b), 'no process of an older config is left anywhere');

    const figures = {
      sighups: LAST,
      reloads_run: logLines(d, 'reloading config').length,
      reloads_refused: logLines(d, 'reload refused').length,
    };
    t.diagnostic(JSON.stringify(figures));
    await reportFigures('sighup_storm', figures);
  });
  assert.deepEqual(processesMatching(mine), [], 'nothing left after the daemon stopped');
});

test('SIGTERM during a reload stops everything, old and new, and the daemon exits 0', async () => {
  // `slow` ignores SIGTERM: stopping it for the reload takes its stoptime,
  // which keeps the reload under way while SIGTERM arrives.
  const slow = (env: Record<string, string>) =>
    program('slow', { cmd: `${CHILD_CMD} marker-${tag}`, numprocs: 2, stoptime: 2, env: { CHILD_IGNORE: 'TERM', CHILD_STDOUT: 'ignoring TERM', ...env } });
  const before = slow({ GEN: '1' }) + program('steady', { cmd: `sleep ${tag}.1` });
  const after = slow({ GEN: '2' }) + program('steady', { cmd: `sleep ${tag}.1` }) + program('newcomer', { cmd: `sleep ${tag}.2` });
  await withDaemon(before, async (d) => {
    for (const name of ['slow:0', 'slow:1', 'steady']) await waitState(d, name, 'RUNNING');
    // RUNNING comes after starttime; a loaded machine may take longer to boot node and set the handler.
    for (const name of ['slow:0', 'slow:1']) await waitOutput(d, name, 'ignoring TERM');
    const daemonPid = d.proc.pid!;
    const children = childrenOf(daemonPid);
    assert.equal(children.length, 3);

    d.writeConfig(after);
    d.proc.kill('SIGHUP');
    await waitLog(d, 'reloading config');
    await waitState(d, 'slow:0', 'STOPPING');
    d.proc.kill('SIGTERM');
    const { code, signal } = await d.exited;
    assert.equal(signal, null);
    assert.equal(code, 0, d.output().slice(-2000));

    for (const pid of children) assert.equal(alive(pid), false, `pid ${pid} outlived the daemon`);
    assert.deepEqual(processesMatching(mine), [], 'no program, old or new, outlived the daemon');
    assert.equal(logLines(d, 'BUG').length, 0);
  });
});
