# `status -l` figures in the cgroup mode are the instance cgroup's own:
# processes is pids.current, rss_bytes memory.current, cpu_seconds
# cpu.stat's usage_usec. The files are read just before and just after the
# status call, so the host can check the figure lies between them.
set -u
cat >/tmp/stats.yaml <<'YAML'
taskmasterd:
  socket: /run/taskmaster/taskmaster.sock
  childlogdir: /var/log/taskmaster
programs:
  # Three processes of steady size: the figures do not move between reads.
  trio:
    cmd: sh -c 'sleep 1000 & sleep 1000 & exec sleep 1000'
    stdout: none
    stderr: none
YAML
use_config /tmp/stats.yaml
fact use_config_exit $?
wait_for 30 main_pid trio >/dev/null
cg=$(cgroup_of "$(main_pid trio)")
fact cgroup "${cg#/sys/fs/cgroup}"
three() { [ "$(cat "$cg/pids.current")" -eq 3 ]; }
wait_for 30 three
running() { taskmasterctl --json status trio | grep -q '"state":"RUNNING"'; }
wait_for 30 running
usage() { sed -n 's/^usage_usec //p' "$cg/cpu.stat"; }
fact memory_before "$(cat "$cg/memory.current")"
fact pids_before "$(cat "$cg/pids.current")"
fact usage_before "$(usage)"
fact peak_before "$(cat "$cg/memory.peak")"
taskmasterctl --json status -l trio | save status.json
fact memory_after "$(cat "$cg/memory.current")"
fact pids_after "$(cat "$cg/pids.current")"
fact usage_after "$(usage)"
fact peak_after "$(cat "$cg/memory.peak")"
taskmasterctl status -l trio >"$OUT/status.txt" 2>&1
true
