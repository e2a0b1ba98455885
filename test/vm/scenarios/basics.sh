# What every later scenario stands on, checked by basics.ts: systemd is PID
# 1, taskmaster.service is up (Type=notify, READY=1 seen), its cgroup is on
# a pure cgroup v2 hierarchy with memory, cpu and pids delegated to it, the
# CLI answers, a program runs, and the kernel OOM-kills a process over
# memory.max in a child cgroup of the service's subtree.
set -u

fact pid1 "$(cat /proc/1/comm)"
fact cgroup_fs "$(stat -f -c %T /sys/fs/cgroup)"
systemctl show -p ActiveState,SubState,Type,Delegate,ControlGroup,StatusText $SERVICE | save unit
fact service_cgroup_controllers "$(cat "$SERVICE_CGROUP/cgroup.controllers")"

taskmasterctl status >"$OUT/status.txt" 2>&1
fact ctl_status_exit $?
taskmasterctl --json status | save status.json
pid=$(taskmasterctl pid sleeper)
fact sleeper_comm "$(cat /proc/"$pid"/comm)"
fact sleeper_cgroup "$(sed -n 's/^0:://p' /proc/"$pid"/cgroup)"

# cgroup v2 lets a cgroup hand controllers to its children only while no
# process is in it. A daemon that keeps to a leaf of its own leaves the
# service's cgroup empty; until then, its processes go to one here.
# (cgroupfs files have no size: read it, test -s cannot tell.)
if [ -n "$(cat "$SERVICE_CGROUP/cgroup.procs")" ]; then
  fact daemon_moved_to_leaf yes
  mkdir -p "$SERVICE_CGROUP/vm-test-leaf"
  for p in $(cat "$SERVICE_CGROUP/cgroup.procs"); do echo "$p" >"$SERVICE_CGROUP/vm-test-leaf/cgroup.procs"; done
else
  fact daemon_moved_to_leaf no
fi
echo +memory >"$SERVICE_CGROUP/cgroup.subtree_control"
probe=$SERVICE_CGROUP/vm-test-oom
mkdir "$probe"
echo 32M >"$probe/memory.max"
[ ! -e "$probe/memory.swap.max" ] || echo 0 >"$probe/memory.swap.max"
fact probe_memory_max "$(cat "$probe/memory.max")"
# tail keeps the last lines of its input; /dev/zero has no newline, so the
# one line grows until memory.max stops it.
timeout 60 sh -c 'echo $$ >"$1/cgroup.procs" && exec tail /dev/zero' sh "$probe"
fact oom_probe_exit $?
save memory.events <"$probe/memory.events"
fact oom_kill "$(sed -n 's/^oom_kill //p' "$probe/memory.events")"
rmdir "$probe"

# The next scenario gets the daemon as systemd starts it, not in our leaf.
if [ -d "$SERVICE_CGROUP/vm-test-leaf" ]; then
  timeout 120 systemctl restart $SERVICE
  fact restarted_after_probe "$(systemctl is-active $SERVICE) $(cat "$SERVICE_CGROUP/cgroup.procs" | wc -l)"
fi
