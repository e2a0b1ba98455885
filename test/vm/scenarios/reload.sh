# A reload that changes memory_max writes the new value to the running
# instance's cgroup: same pid, new memory.max.
set -u
config() {
  cat <<YAML
taskmasterd:
  socket: /run/taskmaster/taskmaster.sock
  childlogdir: /var/log/taskmaster
programs:
  steady:
    cmd: sleep infinity
    memory_max: $1
    stdout: none
    stderr: none
YAML
}
config 64M >/tmp/reload.yaml
use_config /tmp/reload.yaml
fact use_config_exit $?
wait_for 30 main_pid steady >/dev/null
pid=$(main_pid steady)
cg=$(cgroup_of "$pid")
fact cgroup "${cg#/sys/fs/cgroup}"
fact memory_max_before "$(cat "$cg/memory.max")"

config 48M >/etc/taskmaster/taskmaster.yaml
taskmasterctl --json reload >"$OUT/reload.json"
fact reload_exit $?
fact pid_before "$pid"
fact pid_after "$(main_pid steady)"
fact memory_max_after "$(cat "$cg/memory.max")"
true
