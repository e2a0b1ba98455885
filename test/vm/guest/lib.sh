# Helpers for the VM's scenario scripts (test/vm/scenarios/NAME.sh), which
# run.sh sources this into. $OUT is the scenario's own results directory,
# on the host once the VM is off; the host's NAME.ts reads it back.

SERVICE=taskmaster
SERVICE_CGROUP=/sys/fs/cgroup/system.slice/$SERVICE.service

# fact KEY VALUE...: one line KEY=VALUE in $OUT/facts (the host's r.fact(KEY)).
# Values are one line; a longer text goes to a file (save).
fact() {
  key=$1
  shift
  printf '%s=%s\n' "$key" "$(printf '%s' "$*" | tr '\n' ' ')" >>"$OUT/facts"
}

# save NAME: stdin into $OUT/NAME (the host's r.file(NAME)).
save() {
  cat >"$OUT/$1"
}

# wait_for SECONDS COMMAND...: polls COMMAND until it succeeds; false at the
# deadline. Emulated CPUs are slow: give deadlines room, they cost nothing
# when the condition comes early.
wait_for() {
  deadline=$(($(date +%s) + $1))
  shift
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

# use_config FILE: FILE as the daemon's config, applied by a restart (not a
# reload: the scenario wants a known start).
use_config() {
  cp "$1" /etc/taskmaster/taskmaster.yaml && timeout 120 systemctl restart "$SERVICE"
}

# cgroup_of PID: the directory of PID's cgroup (v2: one line 0::/PATH; the
# path may hold colons itself, as programs/NAME:N does).
cgroup_of() {
  echo "/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$1/cgroup")"
}

# main_pid NAME: the pid of NAME's process as taskmasterctl reports it
# (nothing while it has none).
main_pid() {
  taskmasterctl pid "$1" 2>/dev/null | grep -E '^[0-9]+$'
}
