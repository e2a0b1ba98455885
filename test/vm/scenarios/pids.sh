# pids_max: 20 stops a burst of 100 forks at 20 tasks; the daemon and its
# other program go on as if nothing happened.
set -u
cat >/tmp/pids.yaml <<'YAML'
taskmasterd:
  socket: /run/taskmaster/taskmaster.sock
  childlogdir: /var/log/taskmaster
programs:
  # Bounded: five spawners of 20 background sleeps each, 100 in all. A
  # shell whose fork fails exits (dash), so the forks are the spawners':
  # the program's own shell survives them and stays RUNNING as a sleep.
  bomb:
    cmd: sh -c 'sleep 2; for k in 1 2 3 4 5; do sh -c "i=0; while [ \$i -lt 20 ]; do sleep 600 & i=\$((i+1)); done; wait" & done; exec sleep 600'
    pids_max: 20
    stopasgroup: true
    stdout: none
    stderr: /var/log/taskmaster/bomb.err
  bystander:
    cmd: sleep infinity
    stdout: none
    stderr: none
YAML
use_config /tmp/pids.yaml
fact use_config_exit $?
wait_for 30 main_pid bomb >/dev/null
daemon_before=$(taskmasterctl pid)
bystander_before=$(main_pid bystander)
cg=$(cgroup_of "$(main_pid bomb)")
fact cgroup "${cg#/sys/fs/cgroup}"
fact pids_max "$(cat "$cg/pids.max")"

# pids.events' max counts the forks the limit refused; sample pids.current
# until the burst has hit the limit, then a little longer.
peak=0
sample() {
  n=$(cat "$cg/pids.current")
  [ "$n" -le "$peak" ] || peak=$n
}
refused() { sample; [ "$(sed -n 's/^max //p' "$cg/pids.events")" -gt 0 ]; }
wait_for 60 refused
fact refused_wait $?
for _ in 1 2 3 4 5; do sample; sleep 0.2; done
fact pids_current_peak "$peak"
[ ! -e "$cg/pids.peak" ] || fact pids_peak_file "$(cat "$cg/pids.peak")"
save pids.events <"$cg/pids.events"
head -n 3 /var/log/taskmaster/bomb.err | save bomb.err

taskmasterctl status >"$OUT/status.txt" 2>&1
fact status_exit $?
fact daemon_same "$([ "$(taskmasterctl pid)" = "$daemon_before" ] && echo yes || echo no)"
fact bystander_same "$([ "$(main_pid bystander)" = "$bystander_before" ] && echo yes || echo no)"
fact service_state "$(systemctl is-active "$SERVICE")"
taskmasterctl stop bomb >/dev/null
fact stop_exit $?
true
