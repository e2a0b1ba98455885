// taskmaster under a real systemd: a Debian guest with systemd as PID 1 and
// no Node, booted once; `make install` from the checkout, then the unit's
// life in order: start, status, users, control, reload, logs, watchdog, the
// remote API from the host, detach, stop.
// The steps share the guest and build on each other, so they run in order.
import assert from 'node:assert/strict';
import { readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bootGuest, type Guest } from './container';
import { type Detached, detachIntoScope, outlivedTheService } from './detach';
import { byName, credentials, daemonLog, diagnose, journal, LOGDIR, parseStatusText, show, stateCounts, status, UNIT, waitFor } from './probes';
import { ensureRootfs } from './rootfs';
import { makeTestCerts, type TestCerts } from '../fixtures/certs';
import { freePort, gatewaysIn, installCerts, remoteCtl, sharesHostNetwork, TLS_DIR, withRemote, writeGuestFile } from './remote';

const ROOT = resolve(__dirname, '../../..');
const CONFIG = '/etc/taskmaster/taskmaster.yaml';
const TEST_CONFIGS = '/src/test/system/config';
const AUTOSTARTED = ['steady', 'worker', 'leaky'] as const;
const LOGFILE_MAXBYTES = 4096; // as in config/taskmaster.yaml
const LOGFILE_BACKUPS = 2;
const STEP = { timeout: 120_000 };
const CGROUP = `/sys/fs/cgroup/system.slice/${UNIT}.service`;

const say = (line: string): void => void process.stderr.write(`# ${line}\n`);
const count = (text: string, needle: string): number => text.split(needle).length - 1;

describe('taskmaster.service under systemd, in a container', { timeout: 30 * 60_000 }, () => {
  let g: Guest;
  // The remote API step's, for the stop step after it.
  let certs: TestCerts | undefined;
  let port = 0;
  let gatewayPid: number | undefined;
  // The detach step's process, for the step after the stop.
  let detached: Detached | undefined;

  before(async () => {
    const rootfs = await ensureRootfs(say);
    const t0 = Date.now();
    g = await bootGuest({ rootfs, project: ROOT, name: `tmtest-${process.pid}` });
    say(`guest booted in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    // worker runs as daemon: a supplementary group shows that programs get
    // their user's groups (initgroups) and not the daemon's.
    await g.sh('gpasswd -a daemon adm >/dev/null');
    // A booted Debian has /run noexec (initramfs-tools mounts it so, and
    // systemd keeps it); nspawn's /run is not. Be the real thing: nothing
    // may be executed or dlopen()ed from /run/taskmaster.
    await g.sh('mount -o remount,noexec /run');
  }, { timeout: 20 * 60_000 });

  after(async () => {
    await g?.close();
    if (certs) rmSync(certs.dir, { recursive: true, force: true });
  });

  it('make install works in a guest without Node and installs a valid system config', STEP, async () => {
    assert.notEqual((await g.run('command -v node')).code, 0, 'the guest must not have Node: the single executable has to run alone');
    assert.match(await g.sh('make -C /src install'), /made the system user taskmaster/);
    // The remote API gateway's user (remote.user's default): a system account with no home and no login.
    const [, , uid, , , home, shell] = (await g.sh('getent passwd taskmaster')).trim().split(':');
    assert.ok(Number(uid) > 0 && Number(uid) < 1000, `taskmaster is a system user: uid ${uid}`);
    assert.deepEqual([home, shell], ['/nonexistent', '/usr/sbin/nologin']);
    assert.equal((await g.sh('readlink /usr/local/bin/taskmasterd')).trim(), '../lib/taskmaster/taskmaster');
    assert.equal((await g.sh('readlink /usr/local/bin/taskmasterctl')).trim(), '../lib/taskmaster/taskmaster');
    assert.match(await g.sh(`grep ^ExecStart= /etc/systemd/system/${UNIT}.service`), /^ExecStart=\/usr\/local\/bin\/taskmasterd -c \/etc\/taskmaster\/taskmaster\.yaml$/m);
    const installed = await g.sh(`cat ${CONFIG}`);
    assert.match(installed, /^ {2}socket: \/run\/taskmaster\/taskmaster\.sock$/m);
    assert.match(installed, /^ {2}logfile: \/var\/log\/taskmaster\/taskmasterd\.log$/m);
    assert.doesNotMatch(installed, /\.\.\/run/);
    assert.doesNotMatch(installed, /^ *remote:/m, 'the checkout\'s remote: block (dev certificates) is not installed');
    assert.match(await g.sh(`taskmasterd --check -c ${CONFIG}`), /OK/);
    await g.sh(`test -d /etc/taskmaster/conf.d && test -d ${LOGDIR}`);
    // From here on the test's own config; a second install must keep it.
    await g.sh(`cp ${TEST_CONFIGS}/taskmaster.yaml ${CONFIG} && make -C /src install && cmp ${TEST_CONFIGS}/taskmaster.yaml ${CONFIG}`);
    await g.sh('systemctl daemon-reload');
  });

  it('systemctl start returns only after READY=1: socket up, autostart programs spawned', STEP, async () => {
    const r = await g.run(`timeout 60 systemctl start ${UNIT}`, { timeoutMs: 70_000 });
    const why = r.code === 124 ? 'no READY=1 within 60 s' : `exit ${r.code}`;
    assert.equal(r.code, 0, `systemctl start: ${why}\n${r.stderr}\n${await diagnose(g)}`);
    const props = await show(g, 'ActiveState', 'SubState', 'Type', 'MainPID');
    assert.deepEqual([props.ActiveState, props.SubState, props.Type], ['active', 'running', 'notify']);

    const rows = await status(g); // the socket answers
    for (const name of AUTOSTARTED) assert.ok(byName(rows, name).pid, `${name} has no pid right after start: ${JSON.stringify(byName(rows, name))}`);
    // Every autostart program was spawned before systemd logged the unit as started.
    const started = (await journal(g)).filter((e) => e.message.startsWith('Started ')).at(-1);
    assert.ok(started, 'no "Started" line for the unit in the journal');
    const log = await daemonLog(g);
    for (const name of AUTOSTARTED) {
      const spawned = log.find((l) => l.msg.startsWith(`spawned: ${name} `));
      assert.ok(spawned, `the daemon's log has no "spawned: ${name}"`);
      assert.ok(spawned.time <= started.usec / 1000 + 1, `${name} was spawned after READY=1 (${spawned.time} > ${started.usec / 1000})`);
    }
  });

  it('systemctl status shows a STATUS= line that follows the states', STEP, async () => {
    // broken goes FATAL a second or two after start: STATUS must catch up.
    const text = await waitFor('STATUS= to match taskmasterctl status, with broken FATAL', 20_000, async () => {
      const { StatusText: t = '' } = await show(g, 'StatusText');
      const parsed = parseStatusText(t);
      if (!parsed) throw new Error(`StatusText is "${t}", not "N programs: N state, …"`);
      const rows = await status(g);
      const want = stateCounts(rows);
      const same = parsed.total === rows.length && [...want].every(([k, v]) => parsed.counts.get(k) === v) && parsed.counts.size === want.size;
      if (!same) throw new Error(`StatusText "${t}" but status says ${[...want].map(([k, v]) => `${v} ${k}`).join(', ')}`);
      return want.get('fatal') === 1 ? t : undefined;
    });
    assert.ok((await g.sh(`systemctl status --no-pager ${UNIT} || true`)).includes(`Status: "${text}"`));
  });

  it('programs run as their configured users, with those users\' groups', STEP, async () => {
    const rows = await status(g);
    const steady = await credentials(g, byName(rows, 'steady').pid ?? -1);
    assert.deepEqual(steady, { uids: [65534, 65534, 65534, 65534], gids: [65534, 65534, 65534, 65534], groups: [65534] }, 'steady as nobody:nogroup');
    const worker = await credentials(g, byName(rows, 'worker').pid ?? -1);
    assert.deepEqual(worker, { uids: [1, 1, 1, 1], gids: [1, 1, 1, 1], groups: [1, 4] }, 'worker as daemon:daemon, in adm');
    const leaky = await credentials(g, byName(rows, 'leaky').pid ?? -1);
    assert.deepEqual(leaky.uids, [0, 0, 0, 0], 'leaky has no user: root');
  });

  it('taskmasterctl status, stop and start work over the socket as root', STEP, async () => {
    assert.match(await g.sh('taskmasterctl status steady'), /^steady\s+RUNNING/m);
    const oldPid = byName(await status(g), 'worker').pid;
    const stoppedBefore = count(await g.sh(`cat ${LOGDIR}/worker.out`), 'stopped by USR1');
    await g.sh('taskmasterctl stop worker');
    assert.equal(byName(await status(g), 'worker').state, 'STOPPED');
    assert.equal(count(await g.sh(`cat ${LOGDIR}/worker.out`), 'stopped by USR1'), stoppedBefore + 1, 'worker was stopped with its stopsignal USR1');
    await g.sh('taskmasterctl start worker');
    const restarted = byName(await status(g), 'worker');
    assert.equal(restarted.state, 'RUNNING');
    assert.notEqual(restarted.pid, oldPid);
  });

  it('a user without access to the socket is refused: exit 4, EACCES', STEP, async () => {
    const r = await g.run('setpriv --reuid=nobody --regid=nogroup --clear-groups taskmasterctl status');
    assert.equal(r.code, 4, `exit ${r.code}\n${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /EACCES|permission denied/i);
  });

  it('systemctl reload applies the changed config and keeps unchanged programs\' pids', STEP, async () => {
    const old = await status(g);
    const { MainPID: mainBefore } = await show(g, 'MainPID');
    await g.sh(`cp ${TEST_CONFIGS}/reloaded.yaml ${CONFIG}`);
    await g.sh(`timeout 60 systemctl reload ${UNIT}`, { timeoutMs: 70_000 });
    const rows = await waitFor('the reload to add "added" and remove "broken"', 20_000, async () => {
      const r = await status(g);
      return r.some((p) => p.name === 'added' && p.pid) && !r.some((p) => p.name === 'broken') ? r : undefined;
    });
    for (const name of ['steady', 'leaky']) assert.equal(byName(rows, name).pid, byName(old, name).pid, `${name} is unchanged and keeps its pid`);
    assert.notEqual(byName(rows, 'worker').pid, byName(old, 'worker').pid, 'worker changed: restarted');
    // The reload job ends when kill does; the daemon's RELOADING=1 then holds
    // the unit in "reloading" until its READY=1.
    const props = await waitFor('the unit back to active/running after RELOADING=1 … READY=1', 20_000, async () => {
      const p = await show(g, 'MainPID', 'ActiveState', 'SubState');
      return p.ActiveState === 'active' && p.SubState === 'running' ? p : undefined;
    });
    assert.equal(props.MainPID, mainBefore, 'a reload keeps the daemon');
  });

  it('taskmasterctl maintail shows the daemon\'s log', STEP, async () => {
    const out = await g.sh('taskmasterctl maintail -n 200');
    assert.match(out, /reloaded/);
    assert.match(out, /spawned: added/);
    // The spawn addon loaded from /var/lib/taskmaster (/run is noexec here): no fallback.
    const messages = (await daemonLog(g)).map((l) => l.msg);
    assert.ok(messages.some((m) => /^taskmasterd .* started$/.test(m)), 'the start-up line is in the log');
    assert.deepEqual(messages.filter((m) => m.includes("spawning through Node's child_process")), []);
  });

  it('the daemon\'s log rotates at logfile_maxbytes and keeps logfile_backups old files', STEP, async () => {
    const logs = async (): Promise<{ name: string; n: number; size: number }[]> =>
      (await g.sh(`cd ${LOGDIR} && stat -c '%n %s' taskmasterd.*.log`))
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const [name = '', size = ''] = l.split(' ');
          return { name, n: Number(/^taskmasterd\.(\d+)\.log$/.exec(name)?.[1] ?? NaN), size: Number(size) };
        })
        .sort((a, b) => a.n - b.n);
    await g.sh('taskmasterctl start chatty');
    try {
      // Rotated past what is kept: the oldest files must have gone.
      await waitFor(`taskmasterd.${LOGFILE_BACKUPS + 3}.log`, 60_000, async () =>
        ((await logs()).at(-1)?.n ?? 0) >= LOGFILE_BACKUPS + 3 ? true : undefined,
      );
    } finally {
      await g.sh('taskmasterctl stop chatty');
    }
    const files = await logs();
    const listing = files.map((f) => `${f.name} ${f.size}`).join(', ');
    assert.ok(files.length >= 2 && files.length <= LOGFILE_BACKUPS + 1, `want 2 to ${LOGFILE_BACKUPS + 1} files: ${listing}`);
    for (const f of files.slice(0, -1)) assert.ok(f.size <= LOGFILE_MAXBYTES + 2048, `${f.name} is ${f.size} bytes, past logfile_maxbytes: ${listing}`);
    assert.equal((await g.sh('taskmasterctl maintail -n 5')).trimEnd().split('\n').length, 5);
  });

  it('a hung daemon is killed by the watchdog and restarted, and its programs run again', { timeout: 180_000 }, async () => {
    const prev = await show(g, 'MainPID', 'NRestarts');
    assert.match(prev.MainPID ?? '', /^[1-9]\d*$/, 'the daemon is not running');
    await g.sh(`kill -STOP ${prev.MainPID}`);
    const t0 = Date.now();
    const now = await waitFor('a new MainPID after the watchdog fired', 120_000, async () => {
      const p = await show(g, 'MainPID', 'NRestarts', 'ActiveState', 'SubState');
      return p.MainPID !== prev.MainPID && p.MainPID !== '0' && p.ActiveState === 'active' && p.SubState === 'running' ? p : undefined;
    });
    say(`watchdog: restarted in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    assert.equal(Number(now.NRestarts), Number(prev.NRestarts) + 1);
    assert.ok((await journal(g)).some((e) => /watchdog timeout/i.test(e.message)), 'the journal says "Watchdog timeout"');
    await g.sh(`! test -e /proc/${prev.MainPID}`);
    await waitFor('every autostart program RUNNING under the new daemon', 30_000, async () => {
      const rows = await status(g);
      return ['steady', 'worker', 'leaky', 'added'].every((n) => byName(rows, n).state === 'RUNNING') ? true : undefined;
    });
  });

  it('the remote API answers the host\'s taskmasterctl -H; its gateway runs as taskmaster, in the unit\'s cgroup', STEP, async () => {
    assert.ok(await sharesHostNetwork(g), 'the host reaches the guest\'s 127.0.0.1 only if nspawn shares its network (no --private-network)');
    certs = makeTestCerts();
    await installCerts(g, certs);
    assert.equal((await g.sh(`stat -c '%a %U:%G' ${TLS_DIR}/server.key`)).trim(), '600 root:root');
    port = await freePort();
    await writeGuestFile(g, CONFIG, withRemote(readFileSync(join(ROOT, 'test/system/config/reloaded.yaml'), 'utf8'), port));
    assert.match(await g.sh(`taskmasterd --check -c ${CONFIG}`), /OK/); // as root: the user taskmaster must exist
    // A remote: block that a reload adds waits for the next daemon start (the daemon warns): restart.
    await g.sh(`timeout 60 systemctl restart ${UNIT}`, { timeoutMs: 70_000 });
    await waitFor('every autostart program RUNNING after the restart', 30_000, async () => {
      const rows = await status(g);
      return ['steady', 'worker', 'leaky', 'added'].every((n) => byName(rows, n).state === 'RUNNING') ? true : undefined;
    });

    // An uptime may tick between the two calls: poll until one pair is alike.
    await waitFor('the host\'s taskmasterctl -H … status to print what the guest\'s taskmasterctl status prints', 30_000, async () => {
      const [far, near] = [await remoteCtl(ROOT, port, certs!, ['status']), await g.run('taskmasterctl status')];
      if (far.code !== near.code || far.stdout !== near.stdout || far.stderr !== '') {
        throw new Error(`host (exit ${far.code}):\n${far.stdout}${far.stderr}guest (exit ${near.code}):\n${near.stdout}${near.stderr}`);
      }
      return /^steady\s+RUNNING/m.test(far.stdout) ? true : undefined;
    });

    // The job runs in the guest: it prints the guest's PID namespace, not the host's.
    const guestNs = (await g.sh('readlink /proc/self/ns/pid')).trim();
    assert.notEqual(guestNs, readlinkSync('/proc/self/ns/pid'));
    const job = await remoteCtl(ROOT, port, certs, ['run', '-f', '--', '/bin/sh', '-c', 'readlink /proc/self/ns/pid; echo to stderr >&2; exit 7']);
    assert.deepEqual([job.code, job.stdout, job.stderr], [7, `${guestNs}\n`, 'to stderr\n']);

    const gateways = await gatewaysIn(g, CGROUP);
    assert.equal(gateways.length, 1, `one gateway in ${CGROUP}: ${JSON.stringify(gateways)}`);
    const [gateway] = gateways as [{ pid: number; ppid: number }];
    assert.equal(String(gateway.ppid), (await show(g, 'MainPID')).MainPID, 'the daemon started it');
    const [uid, gid] = [Number(await g.sh('id -u taskmaster')), Number(await g.sh('id -g taskmaster'))];
    assert.deepEqual(await credentials(g, gateway.pid), { uids: Array(4).fill(uid), gids: Array(4).fill(gid), groups: [] }, 'as taskmaster, no supplementary groups');
    gatewayPid = gateway.pid;
  });

  it('taskmasterctl detach moves the process and its drain out of the unit, into a scope of their own', STEP, async () => {
    detached = await detachIntoScope(g);
  });

  it('systemctl stop stops each program with its own stop signal and leaves the cgroup empty', STEP, async () => {
    const cgroup = CGROUP;
    const outs = async (): Promise<[number, number]> => [
      count(await g.sh(`cat ${LOGDIR}/worker.out`), 'stopped by USR1'),
      count(await g.sh(`cat ${LOGDIR}/leaky.out`), 'stopped by INT'),
    ];
    const [usr1, int] = await outs();
    // leaky's grandchild, in its own session: the daemon does not stop it, the cgroup must.
    const escapee = (await g.sh(`for p in $(cat ${cgroup}/cgroup.procs); do tr '\\0' ' ' < /proc/$p/cmdline 2>/dev/null | grep -q '^sleep 7777' && echo $p; done; true`)).trim();
    assert.match(escapee, /^\d+$/, 'leaky\'s grandchild (sleep 7777) is in the unit\'s cgroup');

    const t0 = Date.now();
    await g.sh(`timeout 120 systemctl stop ${UNIT}`, { timeoutMs: 130_000 });
    const took = (Date.now() - t0) / 1000;
    const props = await show(g, 'ActiveState', 'Result');
    assert.deepEqual([props.ActiveState, props.Result], ['inactive', 'success']);
    assert.deepEqual(await outs(), [usr1 + 1, int + 1], 'worker got USR1 and leaky got INT, once each');
    assert.ok(took < 30, `systemctl stop took ${took} s: a program was not stopped by its signal`);
    await g.sh(`! test -e /proc/${escapee}`);
    const left = await g.run(`cat ${cgroup}/cgroup.procs`);
    assert.ok(left.code !== 0 || left.stdout.trim() === '', `processes left in ${cgroup}: ${left.stdout}`);
  });

  it('systemctl stop stopped the remote API\'s gateway too: its process gone, its port closed', STEP, async () => {
    assert.ok(gatewayPid !== undefined && certs !== undefined, 'no gateway was seen running (the remote API step failed)');
    await g.sh(`! test -e /proc/${gatewayPid}`);
    const r = await remoteCtl(ROOT, port, certs, ['status']);
    assert.equal(r.code, 4, `exit ${r.code}\n${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /ECONNREFUSED|refused/i);
  });

  it('the detached process outlived systemctl stop: alive, its log still growing, until its scope is stopped', STEP, async () => {
    assert.ok(detached !== undefined, 'no process was detached (the detach step failed)');
    await outlivedTheService(g, detached);
  });
});
