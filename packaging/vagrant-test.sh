#!/bin/bash
# `make vagrant-test`: the README's VM flow end to end, from a clean VM, as a
# user runs it — make vagrant, then in the VM sudo make daemon, systemctl
# status, taskmasterctl status, maintail, systemctl reload/stop/start, make
# stop — checking each step, then a summary with timings. It replaces this
# checkout's VM (vagrant destroy) and destroys it at the end, pass or fail.
# Root, on Debian: packaging/vagrant-host.sh readies the host first.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
[ "$(id -u)" = 0 ] || { echo "vagrant-test: run as root (sudo make vagrant-test)" >&2; exit 1; }

# Without KVM the VM's CPU is emulated (the Vagrantfile's qemu64 model).
if [ -z "${TASKMASTER_VAGRANT_QEMU:-}" ]; then
  if [ -w /dev/kvm ]; then TASKMASTER_VAGRANT_QEMU=0; else TASKMASTER_VAGRANT_QEMU=1; fi
fi
export TASKMASTER_VAGRANT_QEMU VAGRANT_DEFAULT_PROVIDER=libvirt

summary=()
failed=0
out=""   # what the last step's commands printed
pids=""  # "name pid" lines of the RUNNING programs, from running_pids

# step NAME CHECK…: runs the check, records PASS or FAIL and how long it took.
step() {
  local name=$1 t0=$SECONDS result
  shift
  echo "=== $name"
  if "$@"; then result=PASS; else result=FAIL; failed=$((failed + 1)); fi
  summary+=("$(printf '%-4s %5ss  %s' "$result" $((SECONDS - t0)) "$name")")
  echo "=== $result: $name"
}
skip() { summary+=("$(printf 'SKIP %5s   %s' - "$1: $2")"); echo "=== SKIP: $1: $2"; }

# guest CMD: runs CMD in the VM as the vagrant user; its output is kept in $out.
guest() {
  out=$(vagrant ssh -c "$1" -- -q 2>&1)
  local rc=$?
  printf '%s\n' "$out"
  return $rc
}
has() { grep -qE -- "$1" <<<"$out" || { echo "expected: $1" >&2; return 1; }; }

# "name pid" for every program, once all are RUNNING (they pass through STARTING).
running_pids() {
  local deadline=$((SECONDS + 120))
  until guest 'sudo taskmasterctl status'; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 2
  done
  pids=$(sed -n 's/^\([^ ]*\) *RUNNING *pid \([0-9]*\),.*/\1 \2/p' <<<"$out" | sort)
  [ -n "$pids" ] || { echo "no RUNNING program in the status" >&2; return 1; }
}

destroy() {
  local t0=$SECONDS
  vagrant destroy -f >/dev/null 2>&1
  summary+=("$(printf 'done %5ss  %s' $((SECONDS - t0)) 'vagrant destroy')")
}
finish() {
  destroy
  packaging/vagrant-host.sh stop-daemons
  echo
  echo "vagrant-test summary (TASKMASTER_VAGRANT_QEMU=$TASKMASTER_VAGRANT_QEMU):"
  printf '  %s\n' "${summary[@]}"
  [ -n "${provisioned:-}" ] && echo "  the VM's provisioning: $provisioned"
  if [ $failed -eq 0 ]; then echo "vagrant-test: PASS"; else echo "vagrant-test: FAIL ($failed steps)"; fi
}

up() {
  vagrant destroy -f >/dev/null 2>&1
  # Without vagrant's progress bars, which redraw one line thousands of times.
  make --no-print-directory vagrant 2>&1 | tr '\r' '\n' | grep --line-buffered -v 'Progress: ' | tee /tmp/taskmaster-vagrant-up.log
  local rc=${PIPESTATUS[0]}
  provisioned=$(grep -o 'node v.*provisioned in [0-9]* s' /tmp/taskmaster-vagrant-up.log | tail -n 1)
  return "$rc"
}

daemon() {
  guest 'cd /vagrant && sudo make daemon' || return 1
  guest 'sudo grep -h "spawn" /var/log/taskmaster/taskmasterd.log | tail -n 2' || return 1
}

systemd_status() {
  guest 'systemctl --no-pager status taskmaster' || return 1
  has 'Active: active \(running\)' && has 'Status: ".+"'
}

ctl_group() {
  # Another user's access is by the socket's group (socket_owner: user:group).
  local group
  if ! group=$(vagrant ssh -c 'sed -n "s/^ *socket_owner: *[^:#]*:\([^ #]*\).*/\1/p" /etc/taskmaster/taskmaster.yaml' -- -q); then
    step 'taskmasterctl status in the control group' false # the VM did not answer
    return
  fi
  if [ -z "$group" ]; then
    skip 'taskmasterctl status in the control group' 'the installed config names no socket group (socket_owner)'
    return
  fi
  step "taskmasterctl status as a member of $group" \
    guest "sudo usermod -aG $group vagrant && sudo -u vagrant taskmasterctl status"
}

maintail() {
  guest 'sudo taskmasterctl maintail' || return 1
  has 'spawning with the spawn addon'
}

reload_keeps_pids() {
  local before=$pids
  guest 'sudo systemctl reload taskmaster' || return 1
  running_pids || return 1
  [ "$pids" = "$before" ] || { echo "pids changed: $before → $pids" >&2; return 1; }
}

stop_leaves_nothing() {
  local gone
  guest 'sudo systemctl stop taskmaster; systemctl is-active taskmaster || true'
  has '^inactive' || return 1
  # Every program's pid gone, and nothing left in the unit's cgroup.
  gone=$(cut -d' ' -f2 <<<"$pids" | tr '\n' ' ')
  guest "for p in $gone; do ! sudo kill -0 \$p 2>/dev/null || echo \"pid \$p still runs\"; done;
         cat /sys/fs/cgroup/system.slice/taskmaster.service/cgroup.procs 2>/dev/null || true" || return 1
  [ -z "$(tr -d '\r\n' <<<"$out")" ]
}

start_again() {
  guest 'sudo systemctl start taskmaster && systemctl is-active taskmaster' || return 1
  running_pids
}

make_stop() {
  guest 'cd /vagrant && sudo make stop; systemctl is-active taskmaster || true'
  has '^inactive'
}

trap finish EXIT
step 'host ready (packaging/vagrant-host.sh)' packaging/vagrant-host.sh prepare
[ $failed -eq 0 ] || exit 1
step 'make vagrant (vagrant up + provisioning)' up
[ $failed -eq 0 ] || exit 1
step 'sudo make daemon' daemon
step 'systemctl status: active, with a Status line' systemd_status
step 'taskmasterctl status as root: all RUNNING' running_pids
ctl_group
step 'taskmasterctl maintail: the spawn addon in use' maintail
step 'systemctl reload keeps the pids' reload_keeps_pids
step 'systemctl stop leaves no program' stop_leaves_nothing
step 'systemctl start: all RUNNING again' start_again
step 'make stop' make_stop
[ $failed -eq 0 ]
