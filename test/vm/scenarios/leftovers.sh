# SIGKILL taskmasterd's main pid: systemd restarts it (Restart=on-failure),
# and nothing of the old run is left — no process, no cgroup holding one.
# The programs fork a setsid'd grandchild each, which only a cgroup reaches.
set -u
cat >/tmp/leftovers.yaml <<'YAML'
taskmasterd:
  socket: /run/taskmaster/taskmaster.sock
  childlogdir: /var/log/taskmaster
programs:
  stay:
    cmd: sh -c 'setsid sleep 1000 & exec sleep 1000'
    numprocs: 2
    stdout: none
    stderr: none
YAML
use_config /tmp/leftovers.yaml
fact use_config_exit $?
PROGRAMS=$SERVICE_CGROUP/programs
# Every pid in the programs' cgroups, one line each.
program_pids() { cat "$PROGRAMS"/*/cgroup.procs 2>/dev/null; }
# The programs' cgroups by name, one line each.
program_cgroups() { for d in "$PROGRAMS"/*/; do basename "$d"; done; }
four() { [ "$(program_pids | wc -l)" -eq 4 ]; }
wait_for 30 four
fact four_before $?
old_pids=$(program_pids | tr '\n' ' ')
old_daemon=$(systemctl show -p MainPID --value "$SERVICE")
fact old_pids "$old_pids"
fact old_daemon "$old_daemon"

kill -9 "$old_daemon"
restarted() {
  new=$(systemctl show -p MainPID --value "$SERVICE")
  [ "$new" != 0 ] && [ "$new" != "$old_daemon" ] && [ "$(systemctl is-active "$SERVICE")" = active ]
}
wait_for 90 restarted
fact restarted $?
fact new_daemon "$(systemctl show -p MainPID --value "$SERVICE")"
fact n_restarts "$(systemctl show -p NRestarts --value "$SERVICE")"
wait_for 30 four
fact four_after $?

alive=
for p in $old_pids; do ! kill -0 "$p" 2>/dev/null || alive="$alive $p"; done
fact old_alive "$alive"
fact new_pids "$(program_pids | tr '\n' ' ')"
program_cgroups | save programs.ls
taskmasterctl status >"$OUT/status.txt" 2>&1
fact status_exit $?
journalctl -u "$SERVICE" -n 30 --no-pager 2>&1 | save journal.txt
true

# Under the unit, systemd's KillMode=mixed kills what the dead daemon left
# before the restart, so the daemon's own clean-up is not what was seen
# above. Outside systemd it is: a root daemon in the root cgroup manages
# /sys/fs/cgroup/taskmaster; killed with SIGKILL, its programs and their
# setsid'd grandchildren stay, and the next daemon must clear them.
ALONE=/sys/fs/cgroup/taskmaster
cat >/tmp/leftovers-alone.yaml <<'YAML'
taskmasterd:
  socket: /run/tm-alone/taskmaster.sock
  childlogdir: /run/tm-alone
programs:
  stay:
    cmd: sh -c 'setsid sleep 1000 & exec sleep 1000'
    numprocs: 2
    stdout: none
    stderr: none
YAML
mkdir -p /run/tm-alone
# Started from the root cgroup, in a session of its own (not this script's).
start_alone() {
  sh -c 'echo $$ >/sys/fs/cgroup/cgroup.procs && exec setsid taskmasterd -c /tmp/leftovers-alone.yaml' \
    >>/run/tm-alone/stdout 2>&1 </dev/null &
  echo $!
}
PROGRAMS=$ALONE/programs
alone1=$(start_alone)
wait_for 60 four
fact alone_four_before $?
alone_old=$(program_pids | tr '\n' ' ')
fact alone_old_pids "$alone_old"
kill -9 "$alone1"
dead() { ! kill -0 "$1" 2>/dev/null; }
wait_for 30 dead "$alone1"
still=0
for p in $alone_old; do kill -0 "$p" 2>/dev/null && still=$((still + 1)); done
fact alone_left_by_sigkill "$still"

alone2=$(start_alone)
up() { taskmasterctl -s /run/tm-alone/taskmaster.sock status >/dev/null 2>&1; }
wait_for 60 up
fact alone_restarted $?
wait_for 30 four
fact alone_four_after $?
alive=
for p in $alone_old; do ! kill -0 "$p" 2>/dev/null || alive="$alive $p"; done
fact alone_old_alive "$alive"
fact alone_new_pids "$(program_pids | tr '\n' ' ')"
program_cgroups | save alone-programs.ls
grep 'left in' /run/tm-alone/stdout | save alone-log.txt
taskmasterctl -s /run/tm-alone/taskmaster.sock shutdown >/dev/null 2>&1
wait_for 30 dead "$alone2"
fact alone_shutdown $?
# What the daemon made under the root cgroup, gone with it for the next step.
for d in "$ALONE"/*/* "$ALONE"/*; do [ ! -d "$d" ] || rmdir "$d" 2>/dev/null; done
rmdir "$ALONE" 2>/dev/null
true
