# cpu_max: 20% holds a busy loop near a fifth of one CPU. Timing under
# software emulation is noisy, so the loop's CPU time (cpu.stat usage_usec)
# is measured against the guest's own monotonic clock over the same 5 s.
set -u
cat >/tmp/cpu.yaml <<'YAML'
taskmasterd:
  socket: /run/taskmaster/taskmaster.sock
  childlogdir: /var/log/taskmaster
programs:
  spin:
    cmd: sh -c 'while :; do :; done'
    cpu_max: 20%
    stdout: none
    stderr: none
YAML
use_config /tmp/cpu.yaml
fact use_config_exit $?
wait_for 30 main_pid spin >/dev/null
pid=$(main_pid spin)
cg=$(cgroup_of "$pid")
fact cgroup "${cg#/sys/fs/cgroup}"
fact cpu_max "$(cat "$cg/cpu.max")"

usage() { sed -n 's/^usage_usec //p' "$cg/cpu.stat"; }
# /proc/uptime: the monotonic clock, in hundredths of a second.
uptime_cs() { tr -d . </proc/uptime | cut -d' ' -f1; }
# Past the start, in a steady state.
sleep 1
u0=$(usage); t0=$(uptime_cs)
sleep 5
u1=$(usage); t1=$(uptime_cs)
fact usage_usec "$((u1 - u0))"
fact wall_usec "$(((t1 - t0) * 10000))"
save cpu.stat <"$cg/cpu.stat"
fact nproc "$(nproc)"
taskmasterctl stop spin >/dev/null
true
