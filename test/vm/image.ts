// The VM's disk: the container's Debian (test/system/rootfs.ts) plus this
// machine's kernel package, with the one unit that runs the scenarios at
// boot, as an ext4 image without partitions, and the kernel and initrd
// copied out of its /boot for qemu's -kernel/-initrd (no bootloader). Made
// once and cached like the container's rootfs, keyed by a hash of all of it.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensureCached, GUEST_SPEC, mmdebstrap, runCollecting, type DebianSpec } from '../system/rootfs';

export interface VmImage {
  disk: string; // raw ext4, never written: qemu boots it with snapshot=on
  kernel: string;
  initrd: string;
}

/** Where the guest mounts the host's shares (qemu -virtfs mount_tag → path). */
export const GUEST_MOUNTS = { src: '/src', results: '/results' } as const;
export const TEST_UNIT = 'taskmaster-vm-test.service';
const RUNNER = `${GUEST_MOUNTS.src}/test/vm/guest/run.sh`;
// Room for the installed daemon, its logs and what scenarios write; sparse.
const DISK_SIZE = '2G';

function vmSpec(): DebianSpec {
  // The guest runs on this machine's architecture: its kernel package is
  // Debian's metapackage for it (linux-image-amd64, linux-image-arm64, …).
  const arch = execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();
  return { ...GUEST_SPEC, packages: [...GUEST_SPEC.packages, `linux-image-${arch}`], preset: INITRAMFS_CONFIG };
}

// The initrd only has to find an ext4 root on a virtio disk: with these
// modules alone (instead of MODULES=most, nearly every driver) making it is
// seconds instead of minutes, and the kernel package's scripts make it twice.
// Whatever else the guest loads (9p) comes from the root file system.
const INITRAMFS_CONFIG = {
  'etc/initramfs-tools/conf.d/taskmaster-vm.conf': 'MODULES=list\n',
  'usr/share/initramfs-tools/modules.d/taskmaster-vm': 'virtio_pci\nvirtio_blk\next4\n',
};

// 9p: the checkout read-only, the results written straight through to the
// host (no cache), and a larger msize than the kernel's default 8 KiB so
// the 100 MB executable is read in reasonable time under emulation.
const mount9p = (tag: keyof typeof GUEST_MOUNTS, ro: boolean): string =>
  `/bin/mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144${ro ? ',ro' : ''} ${tag} ${GUEST_MOUNTS[tag]}`;

/**
 * Baked into the image, so kept small: everything else the guest does is in
 * the checkout (test/vm/guest/run.sh). The mounts are in the unit rather
 * than fstab so that a failed one fails the unit, and any end of the unit
 * powers the VM off (the host's timeout is only the last resort).
 */
const GUEST_FILES: Record<string, string> = {
  'etc/hostname': 'tmvm\n',
  // A fixed id: with none, systemd treats the boot as a first boot (and
  // systemd-firstboot may wait on the console for answers).
  'etc/machine-id': '5461736b6d61737465722d766d2d7465\n',
  [`etc/systemd/system/${TEST_UNIT}`]: `[Unit]
Description=taskmaster VM test: run the scenarios of test/vm, then power off
After=multi-user.target
# -immediate: the results are on the host already (9p writes through) and
# the disk is a throwaway snapshot; a clean shutdown would only cost time.
SuccessAction=poweroff-immediate
FailureAction=poweroff-immediate

[Service]
Type=oneshot
ExecStartPre=${mount9p('src', true)}
ExecStartPre=${mount9p('results', false)}
ExecStart=/bin/sh ${RUNNER}
StandardOutput=journal+console
StandardError=journal+console
TimeoutStartSec=20min

[Install]
WantedBy=multi-user.target
`,
};

/** The cached image, made first if missing (mmdebstrap with the kernel, then mke2fs). */
export function ensureVmImage(say: (line: string) => void): Promise<VmImage> {
  const spec = vmSpec();
  return ensureCached('vm', { spec, files: GUEST_FILES, size: DISK_SIZE }, (dir) => build(spec, dir, say), say).then((dir) => ({
    disk: join(dir, 'disk.ext4'),
    kernel: join(dir, 'vmlinuz'),
    initrd: join(dir, 'initrd.img'),
  }));
}

async function build(spec: DebianSpec, dir: string, say: (line: string) => void): Promise<void> {
  const root = join(dir, 'root');
  mkdirSync(dir, { recursive: true });
  await mmdebstrap(spec, root, say);
  for (const [path, text] of Object.entries(GUEST_FILES)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const wants = join(root, 'etc/systemd/system/multi-user.target.wants');
  mkdirSync(wants, { recursive: true });
  symlinkSync(`../${TEST_UNIT}`, join(wants, TEST_UNIT)); // systemctl enable, without running systemctl
  for (const mountpoint of Object.values(GUEST_MOUNTS)) mkdirSync(join(root, mountpoint), { recursive: true });
  copyFileSync(onlyOne(root, 'vmlinuz-'), join(dir, 'vmlinuz'));
  copyFileSync(onlyOne(root, 'initrd.img-'), join(dir, 'initrd.img'));
  say(`making the VM disk: mke2fs -t ext4 -d ${root} disk.ext4 ${DISK_SIZE}`);
  const r = await runCollecting('mke2fs', ['-q', '-F', '-t', 'ext4', '-L', 'root', '-d', root, join(dir, 'disk.ext4'), DISK_SIZE], 10 * 60_000);
  if (r.code !== 0) throw new Error(`mke2fs failed (${r.code === null ? 'timed out' : `exit ${r.code}`}):\n${r.output.slice(-3000)}`);
  // The disk holds it all: the tree would only double the cache's size.
  rmSync(root, { recursive: true, force: true });
}

/** /boot/PREFIX<version>: one kernel package, so exactly one. */
function onlyOne(root: string, prefix: string): string {
  const found = readdirSync(join(root, 'boot')).filter((f) => f.startsWith(prefix));
  if (found.length !== 1) throw new Error(`expected one /boot/${prefix}* in the VM's rootfs, found: ${found.join(', ') || 'none'}`);
  return join(root, 'boot', found[0] ?? '');
}
