// Boots the VM image with qemu directly (-kernel/-initrd, no bootloader):
// the checkout shared read-only and a results directory shared writable,
// over 9p. The guest runs its scenarios at boot and powers off; this waits
// for qemu to exit, or kills it at the deadline.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { machine } from 'node:os';
import type { VmImage } from './image';

export interface BootOptions {
  image: VmImage;
  project: string; // the checkout, the guest's /src
  results: string; // an empty directory, the guest's /results
  serialLog: string; // where the guest's console goes, whole
  timeoutMs: number;
  /** Kernel command line words for the guest's runner (e.g. tm.scenarios=…). */
  extraCmdline?: string[];
  say: (line: string) => void;
}

export interface VmRun {
  code: number | null; // qemu's exit code; null when killed
  timedOut: boolean;
  seconds: number;
  serialLog: string; // the file holding the guest's whole console
  serialTail: (chars?: number) => string;
}

/**
 * What differs between this machine's architectures: the qemu binary is
 * qemu-system-<uname -m>; the board and the serial console's device name
 * are the architecture's own.
 */
const BOARDS: Record<string, { machineArgs: string[]; console: string }> = {
  x86_64: { machineArgs: [], console: 'ttyS0' },
  aarch64: { machineArgs: ['-machine', 'virt'], console: 'ttyAMA0' },
};

export function qemuBinary(): string {
  return `qemu-system-${machine()}`;
}

/**
 * qemu's software emulation (TCG) unless TASKMASTER_VM_ACCEL=kvm: a
 * /dev/kvm that opens may still not run Debian's kernel (a PVM host, as
 * these machines have), and a boot that hangs there would fail the step on
 * a machine where emulation passes. -cpu max: V8's optimizing tiers crash on
 * older models (qemu64, Nehalem) under TCG.
 */
function accelArgs(): { args: string[]; name: string } {
  const kvm = process.env.TASKMASTER_VM_ACCEL === 'kvm';
  return kvm ? { args: ['-accel', 'kvm', '-cpu', 'host'], name: 'kvm' } : { args: ['-accel', 'tcg,thread=multi', '-cpu', 'max'], name: 'tcg' };
}

export function bootVm(opts: BootOptions): Promise<VmRun> {
  const board = BOARDS[machine()];
  if (!board) throw new Error(`no VM board known for this machine (${machine()}): add it to BOARDS in test/vm/qemu.ts`);
  const accel = accelArgs();
  const cmdline = [
    'root=/dev/vda', 'rootfstype=ext4', 'rw', `console=${board.console}`,
    // A kernel panic reboots at once, and -no-reboot turns that into qemu's exit.
    'panic=-1', 'systemd.firstboot=off',
    ...(opts.extraCmdline ?? []),
  ].join(' ');
  const args = [
    ...board.machineArgs, ...accel.args, '-smp', '2', '-m', '1536',
    '-nodefaults', '-no-user-config', '-display', 'none', '-serial', 'stdio', '-no-reboot',
    '-kernel', opts.image.kernel, '-initrd', opts.image.initrd, '-append', cmdline,
    '-drive', `file=${opts.image.disk},format=raw,if=virtio,snapshot=on`,
    '-virtfs', `local,path=${opts.project},mount_tag=src,security_model=none,readonly=on`,
    '-virtfs', `local,path=${opts.results},mount_tag=results,security_model=none`,
  ];
  opts.say(`booting the VM (${accel.name}): ${qemuBinary()} ${args.join(' ')}`);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(qemuBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const file = createWriteStream(opts.serialLog);
    let tail = '';
    const keep = (c: Buffer): void => {
      file.write(c);
      tail = (tail + c.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    // The test runner dying must not leave an emulated machine spinning.
    const onExit = (): void => void child.kill('SIGKILL');
    process.once('exit', onExit);
    child.on('error', (err) => {
      clearTimeout(timer);
      process.removeListener('exit', onExit);
      file.end();
      reject(new Error(`cannot run ${qemuBinary()}: ${err.message} (make vm-deps installs it)`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      process.removeListener('exit', onExit);
      file.end();
      resolve({
        code,
        timedOut,
        seconds: (Date.now() - started) / 1000,
        serialLog: opts.serialLog,
        serialTail: (chars = 4000) => tail.slice(-chars),
      });
    });
  });
}
