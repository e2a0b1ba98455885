// taskmaster under systemd in a real kernel: a Debian VM booted by qemu
// (test/vm/image.ts, qemu.ts) with cgroup v2 and every controller, which the
// container test's host kernel cannot give. One boot runs every scenario:
// test/vm/scenarios/NAME.sh in the guest (with guest/lib.sh), then
// scenarios/NAME.ts's checks here on what it left in the results share.
// A new scenario is those two files; nothing here changes.
// TASKMASTER_VM_SCENARIOS=a,b runs only those (setup always runs).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensureVmImage } from './image';
import { bootVm, type VmRun } from './qemu';
import { type Checks, readResult } from './results';

const ROOT = resolve(__dirname, '../../..');
const SCRIPTS = join(ROOT, 'test/vm/scenarios');
const MODULES = join(__dirname, 'scenarios');
// A deadline, not a wait: the guest powers off as soon as it is done.
// Under emulation a boot takes about 40 s, setup and each scenario more.
const VM_DEADLINE_MS = 12 * 60_000;

const say = (line: string): void => void process.stderr.write(`# ${line}\n`);

const only = process.env.TASKMASTER_VM_SCENARIOS?.split(',').filter(Boolean);
const scripts = readdirSync(SCRIPTS).filter((f) => f.endsWith('.sh')).map((f) => f.slice(0, -3));
const modules = readdirSync(MODULES).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3));
const scenarios = [...new Set([...scripts, ...modules])].sort().filter((n) => only === undefined || only.includes(n));

describe('taskmaster.service in a VM: a real kernel, pure cgroup v2', { timeout: 30 * 60_000 }, () => {
  let run: VmRun | undefined;
  let work = '';
  const results = (): string => join(work, 'results');

  before(async () => {
    if (process.getuid?.() !== 0) throw new Error('the VM test needs root (its image cache is under /var/cache): run it as root');
    for (const name of only ?? []) {
      if (!scripts.includes(name)) throw new Error(`TASKMASTER_VM_SCENARIOS names ${name}, which has no test/vm/scenarios/${name}.sh`);
    }
    const image = await ensureVmImage(say);
    work = mkdtempSync(join(tmpdir(), 'taskmaster-vm-'));
    mkdirSync(results());
    run = await bootVm({
      image,
      project: ROOT,
      results: results(),
      serialLog: join(work, 'serial.log'),
      timeoutMs: VM_DEADLINE_MS,
      extraCmdline: only ? [`tm.scenarios=${only.join(',')}`] : [],
      say,
    });
    say(`the VM ran for ${run.seconds.toFixed(1)} s (qemu exit ${run.code}${run.timedOut ? ', killed at the deadline' : ''})`);
  }, { timeout: 25 * 60_000 });

  // Kept when the run broke, for its whole serial log and results.
  let keep = true;
  after(() => {
    if (keep && work) say(`kept for a look: ${work} (serial.log, results/)`);
    else if (work) rmSync(work, { recursive: true, force: true });
  });

  it('the guest ran every step and powered off', () => {
    assert.ok(run);
    const broke = run.timedOut ? `it was still running after ${VM_DEADLINE_MS / 1000} s` : `qemu exited ${run.code}`;
    assert.ok(existsSync(join(results(), 'done')), `the guest never finished its steps (${broke}); its console ends:\n${run.serialTail()}`);
    // qemu also exits 0 on SIGTERM: the kernel's last words tell a power-off.
    assert.match(run.serialTail(), /reboot: Power down/, `the guest did not power off (${broke}); its console ends:\n${run.serialTail()}`);
    assert.equal(run.code, 0, `qemu exited ${run.code}; the console ends:\n${run.serialTail()}`);
    keep = false;
  });

  it('setup: make install, Delegate=yes, systemctl start taskmaster', () => {
    const r = readResult(results(), 'setup');
    assert.equal(r.exit, 0, r.context());
  });

  for (const name of scenarios) {
    describe(name, () => {
      it('has its guest script and its host checks', () => {
        assert.ok(scripts.includes(name), `test/vm/scenarios/${name}.ts has no ${name}.sh beside it`);
        assert.ok(modules.includes(name), `test/vm/scenarios/${name}.sh has no ${name}.ts beside it`);
      });
      it('ran to its end in the guest (exit 0)', () => {
        const r = readResult(results(), name);
        assert.equal(r.exit, 0, r.exit === 124 ? `timed out in the guest\n${r.context()}` : r.context());
      });
      const checks = modules.includes(name) ? (require(join(MODULES, name)) as { checks: Checks }).checks : {};
      for (const [title, check] of Object.entries(checks)) it(title, () => check(readResult(results(), name)));
    });
  }
});
