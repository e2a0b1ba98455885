#!/bin/sh
# Readies a Debian host, as root, for `make vagrant-test`: Vagrant with the
# libvirt provider, libvirt's daemons, qemu, and the debian/trixie64 box the
# Vagrantfile names. The box is built here (mmdebstrap, no download: Vagrant's
# cloud is not reachable everywhere) and cached in $CACHE between runs.
#   usage: packaging/vagrant-host.sh prepare | stop-daemons
set -eu
BOX=debian/trixie64
CACHE=/var/cache/taskmaster-vagrant
# The daemons this script started (a host where systemd is not PID 1), for stop-daemons.
STARTED=/run/taskmaster-vagrant-daemons
MIRROR=http://deb.debian.org/debian

say() { echo "vagrant-host: $*" >&2; }

packages() {
  # extlinux: the box boots through a plain MBR + extlinux, which can be
  # installed into a disk image without a device map (GRUB needs one).
  need="vagrant vagrant-libvirt libvirt-daemon-system libvirt-daemon-driver-qemu libvirt-clients
        qemu-system-x86 qemu-utils dnsmasq-base iptables rsync mmdebstrap extlinux syslinux-common fdisk"
  missing=""
  for p in $need; do dpkg-query -W -f '${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing="$missing $p"; done
  [ -z "$missing" ] && return
  say "apt-get install$missing"
  apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

daemons() {
  if [ -d /run/systemd/system ]; then
    systemctl start virtlogd libvirtd
    return
  fi
  # No systemd as PID 1 (a container): start them by hand, once.
  # Each writes its pid to /run/NAME.pid; stop-daemons ends those by pid.
  mkdir -p /var/log/libvirt # its systemd unit would have made it
  for d in virtlogd libvirtd; do
    pid=$(cat "/run/$d.pid" 2>/dev/null) && kill -0 "$pid" 2>/dev/null && continue
    "$d" -d
    i=0
    until pid=$(cat "/run/$d.pid" 2>/dev/null) && [ -n "$pid" ]; do
      i=$((i + 1)); [ $i -lt 100 ] || { say "$d did not start"; exit 1; }
      sleep 0.1
    done
    echo "$pid" >>"$STARTED"
  done
  i=0
  until virsh -q version >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 100 ] || { say "libvirtd does not answer"; exit 1; }
    sleep 0.1
  done
}

pool() {
  # vagrant-libvirt keeps box images and disks in the pool named default.
  if ! virsh pool-info default >/dev/null 2>&1; then
    virsh -q pool-define-as default dir --target /var/lib/libvirt/images
    virsh -q pool-build default
    virsh -q pool-autostart default
  fi
  virsh pool-info default | grep -q '^State: *running' || virsh -q pool-start default
}

# A root filesystem with what Vagrant needs of a box: sshd, sudo, rsync (the
# synced folder), DHCP on the first NIC, and a `vagrant` user who accepts
# Vagrant's insecure key (vagrant swaps it for a fresh one at first boot).
make_root() {
  root=$1
  mmdebstrap --variant=minbase --include="systemd-sysv,systemd-resolved,dbus,linux-image-$(dpkg --print-architecture),\
initramfs-tools,openssh-server,sudo,rsync,ca-certificates,libnss-myhostname" trixie "$root" "$MIRROR"
  # Vagrant renames the VM: nss-myhostname resolves whatever name it has (sudo looks it up).
  echo taskmaster-box >"$root/etc/hostname"
  printf '127.0.0.1 localhost\n' >"$root/etc/hosts"
  printf '[Match]\nName=en* eth*\n\n[Network]\nDHCP=yes\n' >"$root/etc/systemd/network/50-dhcp.network"
  chroot "$root" systemctl -q enable systemd-networkd systemd-resolved ssh
  ln -sf ../run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"
  chroot "$root" useradd -m -s /bin/bash vagrant
  echo 'vagrant ALL=(ALL) NOPASSWD: ALL' >"$root/etc/sudoers.d/vagrant"
  chmod 440 "$root/etc/sudoers.d/vagrant"
  key=$(ls /usr/share/rubygems-integration/all/gems/vagrant-*/keys/vagrant.pub | head -n 1)
  install -d -m 700 "$root/home/vagrant/.ssh"
  install -m 600 "$key" "$root/home/vagrant/.ssh/authorized_keys"
  chroot "$root" chown -R vagrant:vagrant /home/vagrant/.ssh
}

# The root filesystem as a bootable qcow2 disk, without mounting anything but
# the finished filesystem (for extlinux): one partition, ext4 made from the
# directory by mke2fs -d, extlinux in it, syslinux's MBR in front.
make_disk() {
  root=$1 work=$2 gib=10
  uuid=$(cat /proc/sys/kernel/random/uuid)
  kernel=$(cd "$root/boot" && ls vmlinuz-* | sort -V | tail -n 1)
  echo "UUID=$uuid / ext4 errors=remount-ro 0 1" >"$root/etc/fstab"
  install -d "$root/boot/extlinux"
  printf 'DEFAULT debian\nTIMEOUT 0\nLABEL debian\n  LINUX /boot/%s\n  INITRD /boot/initrd.img-%s\n  APPEND root=UUID=%s ro console=ttyS0\n' \
    "$kernel" "${kernel#vmlinuz-}" "$uuid" >"$root/boot/extlinux/extlinux.conf"
  disk=$work/disk.raw
  truncate -s "${gib}G" "$disk"
  echo 'start=2048, type=83, bootable' | sfdisk -q "$disk"
  # syslinux reads no ext4 with 64-bit block numbers.
  mke2fs -q -t ext4 -O ^64bit -U "$uuid" -d "$root" -E offset=1048576 "$disk" $((gib * 1024 * 1024 - 1024))k
  mkdir -p "$work/mnt"
  mount -o loop,offset=1048576 "$disk" "$work/mnt"
  extlinux --install "$work/mnt/boot/extlinux" 2>/dev/null
  umount "$work/mnt"
  dd if=/usr/lib/syslinux/mbr/mbr.bin of="$disk" bs=440 count=1 conv=notrunc status=none
  qemu-img convert -O qcow2 "$disk" "$work/box.img"
  printf '{"provider":"libvirt","format":"qcow2","virtual_size":%s}\n' "$gib" >"$work/metadata.json"
}

box() {
  # Named after the recipe (make_root, make_disk): changing it makes a new box.
  recipe=$(sed -n '/^make_root()/,/^box()/p' "$0" | sha256sum | cut -c1-12)
  file=$CACHE/trixie64-$recipe.box
  if vagrant box list 2>/dev/null | grep -q "^$BOX " && [ "$(cat "$CACHE/added" 2>/dev/null)" = "$recipe" ]; then
    return
  fi
  if [ ! -e "$file" ]; then
    say "building the $BOX box (a few minutes; cached in $CACHE)"
    work=$(mktemp -d /var/tmp/taskmaster-box.XXXXXX)
    trap 'umount "$work/mnt" 2>/dev/null || true; rm -rf "$work"' EXIT
    make_root "$work/root"
    make_disk "$work/root" "$work"
    mkdir -p "$CACHE"
    rm -f "$CACHE"/trixie64*.box
    tar -C "$work" -cf "$file.tmp" metadata.json box.img
    mv "$file.tmp" "$file"
    rm -rf "$work"
    trap - EXIT
  fi
  # vagrant-libvirt uploads a box once into the pool and reuses that volume:
  # a stale one from an earlier box would be used instead of this box.
  for vol in $(virsh -q vol-list default | awk '{print $1}' | grep '^debian-VAGRANTSLASH-trixie64' || true); do
    virsh -q vol-delete --pool default "$vol"
  done
  vagrant box add -f --name "$BOX" "$file"
  echo "$recipe" >"$CACHE/added"
}

case "${1:-}" in
  prepare)
    [ "$(id -u)" = 0 ] || { say "run as root"; exit 1; }
    packages
    daemons
    pool
    box
    ;;
  stop-daemons)
    # Only those this script started; a host's own libvirtd is left alone.
    [ -e "$STARTED" ] || exit 0
    for pid in $(tac "$STARTED"); do kill -TERM "$pid" 2>/dev/null || true; done
    rm -f "$STARTED"
    ;;
  *)
    echo "usage: $0 prepare | stop-daemons" >&2
    exit 2
    ;;
esac
