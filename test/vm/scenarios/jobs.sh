# Limits asked by a job (taskmasterctl run --memory-max…): its own cgroup
# under jobs/ gets them, a job over its memory_max is OOM-killed and says
# so (ps, and run -f's message and exit code), and its cgroup goes with it.
set -u
# Jobs need no programs of their own: the daemon as the last scenario left it.
fact active "$(systemctl is-active "$SERVICE")"

# json_field FIELD: the first "FIELD":VALUE of a job's JSON (numbers and strings).
json_field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n1; }

id=$(taskmasterctl run --memory-max 48M --cpu-max 50% --pids-max 20 -- sleep 600)
fact run_exit $?
fact job_id "$id"
pid=$(taskmasterctl --json ps "$id" | json_field pid)
cg=$(cgroup_of "$pid")
fact cgroup "${cg#/sys/fs/cgroup}"
fact memory_max "$(cat "$cg/memory.max")"
fact cpu_max "$(cat "$cg/cpu.max")"
fact pids_max "$(cat "$cg/pids.max")"
taskmasterctl ps "$id" | save ps_limits.txt
taskmasterctl kill "$id" >/dev/null
gone() { [ ! -e "$cg" ]; }
wait_for 30 gone
fact cgroup_gone $?

# tail keeps its input's last line; /dev/zero has none, so the line grows until the kernel stops it.
taskmasterctl run -f --memory-max 32M -- tail /dev/zero >/dev/null 2>"$OUT/oom_run_stderr.txt"
fact oom_run_exit $?
hog=$(taskmasterctl run --memory-max 32M -- tail /dev/zero)
killed() { taskmasterctl --json ps "$hog" | grep -q '"state":"JOB_STATE_KILLED"'; }
wait_for 60 killed
fact hog_killed $?
taskmasterctl ps "$hog" | save ps_oom.txt
true
