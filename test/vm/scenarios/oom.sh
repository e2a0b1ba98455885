# A program over memory_max is OOM-killed by the kernel and the daemon says
# so; the death is unexpected, so autorestart: unexpected starts it again.
# Both programs sleep first so that they reach RUNNING (starttime 1) and
# the OOM kill is an exit from RUNNING, not a failed start.
set -u
cat >/tmp/oom.yaml <<'YAML'
taskmasterd:
  socket: /run/taskmaster/taskmaster.sock
  childlogdir: /var/log/taskmaster
programs:
  # tail keeps its input's last lines; /dev/zero has no newline, so the one
  # line grows until the kernel stops it.
  hog_once:
    cmd: sh -c 'sleep 2; exec tail /dev/zero'
    memory_max: 32M
    autorestart: false
    stdout: none
    stderr: none
  hog_again:
    cmd: sh -c 'sleep 2; exec tail /dev/zero'
    memory_max: 32M
    autorestart: unexpected
    stdout: none
    stderr: none
YAML
use_config /tmp/oom.yaml
fact use_config_exit $?

exited() { taskmasterctl --json status hog_once | grep -q '"state":"EXITED"'; }
wait_for 60 exited
fact hog_once_exited $?
taskmasterctl status hog_once >"$OUT/status.txt" 2>&1
fact status_exit $?
taskmasterctl --json status hog_once | save hog_once.json

restarted() { taskmasterctl --json status hog_again | grep -q '"restarts":[1-9]'; }
wait_for 60 restarted
fact hog_again_restarted $?
taskmasterctl --json status hog_again | save hog_again.json
true
