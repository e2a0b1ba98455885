# A grandchild that calls setsid() leaves its program's session and process
# group, not its cgroup: `taskmasterctl stop` leaves nothing behind.
set -u
cat >/tmp/setsid.yaml <<'YAML'
taskmasterd:
  socket: /run/taskmaster/taskmaster.sock
  childlogdir: /var/log/taskmaster
programs:
  escaper:
    cmd: sh -c 'setsid sleep 1000 & exec sleep 1000'
    stoptime: 2
    stdout: none
    stderr: none
YAML
use_config /tmp/setsid.yaml
fact use_config_exit $?
wait_for 30 main_pid escaper >/dev/null
pid=$(main_pid escaper)
cg=$(cgroup_of "$pid")
fact cgroup "${cg#/sys/fs/cgroup}"
two() { [ "$(wc -l <"$cg/cgroup.procs")" -ge 2 ]; }
wait_for 30 two
# The escapee: the member of the cgroup in a session of its own.
# /proc/PID/stat's sixth field (the command, second, has no blank here).
sid_of() { cut -d' ' -f6 "/proc/$1/stat"; }
grandchild=
for p in $(cat "$cg/cgroup.procs"); do
  [ "$p" = "$pid" ] || grandchild=$p
done
fact main_sid "$(sid_of "$pid")"
fact grandchild_sid "$(sid_of "$grandchild")"
fact grandchild_in_cgroup "$(grep -qx "$grandchild" "$cg/cgroup.procs" && echo yes || echo no)"

taskmasterctl stop escaper >/dev/null
fact stop_exit $?
gone() { ! kill -0 "$1" 2>/dev/null; }
wait_for 30 gone "$grandchild"
fact grandchild_gone $?
fact main_gone "$(gone "$pid" && echo yes || echo no)"
removed() { [ ! -d "$cg" ]; }
wait_for 30 removed
fact cgroup_removed $?
true
