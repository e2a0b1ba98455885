// The system test's detach steps: under the packaged unit a detached process
// and its drain must leave taskmaster.service's cgroup for a scope of their
// own, or systemd kills them when the service stops (KillMode=mixed).
// `counter` (config/reloaded.yaml) prints 1, 2, 3 … to its log: a log that
// grows after the service stopped shows both the process and its drain alive.
import assert from 'node:assert/strict';
import type { Guest } from './container';
import { byName, LOGDIR, status, waitFor } from './probes';

export interface Detached {
  pid: number;
  scope: string;
}

const COUNTER_LOG = `${LOGDIR}/counter.out`;

/** The last number counter wrote. */
async function lastCount(g: Guest): Promise<number> {
  const last = (await g.sh(`tail -n 1 ${COUNTER_LOG}`)).trim();
  return /^\d+$/.test(last) ? Number(last) : 0;
}

/** Waits for the counter to move on by 3 from now. */
export async function counts(g: Guest, what: string): Promise<void> {
  const from = await lastCount(g);
  await waitFor(`counter's log to go on from ${from} (${what})`, 20_000, async () => ((await lastCount(g)) >= from + 3 ? true : undefined));
}

/** Starts counter, detaches it, and checks that it and its drain are in a scope of their own. */
export async function detachIntoScope(g: Guest): Promise<Detached> {
  await g.sh('taskmasterctl start counter');
  const pid = byName(await status(g), 'counter').pid;
  assert.ok(pid, 'counter has a pid');
  await counts(g, 'supervised');
  assert.equal((await g.sh('taskmasterctl detach counter')).trim(), 'counter: detached');
  const scope = `taskmaster-detached-counter-${pid}.scope`;
  await waitFor(`status to say counter went into ${scope}`, 20_000, async () => {
    const d = byName(await status(g), 'counter').description;
    if (d === `detached, pid ${pid}`) return undefined; // the move is under way
    if (d !== `detached, pid ${pid} (own scope ${scope})`) throw new Error(`counter's status says "${d}"`);
    return true;
  });
  assert.equal((await g.sh(`systemctl show -p ActiveState --value ${scope}`)).trim(), 'active');
  const cgroup = (await g.sh(`grep '^0::' /proc/${pid}/cgroup`)).trim();
  assert.match(cgroup, new RegExp(`/${scope.replace(/\./g, '\\.')}$`), `counter's cgroup is its scope's`);
  // Its group (sh and its sleep of the moment) and the drain: the drain is the one running `taskmaster drain`.
  const procs = (await g.sh(`cat /sys/fs/cgroup${cgroup.slice(3)}/cgroup.procs`)).trim().split('\n');
  const cmdlines = await Promise.all(procs.map(async (p) => (await g.run(`tr '\\0' ' ' < /proc/${p}/cmdline`)).stdout));
  assert.ok(procs.includes(String(pid)), `pid ${pid} in ${scope}: ${procs.join(' ')}`);
  assert.ok(cmdlines.some((c) => / drain /.test(c)), `the drain is in ${scope} too: ${cmdlines.join(' | ')}`);
  assert.match(await g.sh(`systemctl status --no-pager ${scope} || true`), new RegExp(`\\b${pid}\\b`));
  await counts(g, `detached into ${scope}`);
  return { pid, scope };
}

/** After `systemctl stop taskmaster`: counter and its drain live on in their scope; stopping the scope ends them. */
export async function outlivedTheService(g: Guest, detached: Detached): Promise<void> {
  await g.sh(`test -e /proc/${detached.pid}`);
  await counts(g, 'after systemctl stop taskmaster');
  assert.equal((await g.sh(`systemctl show -p ActiveState --value ${detached.scope}`)).trim(), 'active');
  await g.sh(`systemctl stop ${detached.scope}`);
  await waitFor(`pid ${detached.pid} to end with its scope`, 20_000, async () => ((await g.run(`test -e /proc/${detached.pid}`)).code !== 0 ? true : undefined));
}
